using System.Text;

namespace CriO.Storage.Metadata;

/// <summary>
/// The file name containers/storage gives a big data item in an image's, layer's or container's
/// folder (store.go's makeBigDataBaseName): the key itself when it is only lowercase ASCII
/// letters, digits and dots ("manifest"), otherwise "=" and the key in standard base64 with
/// padding ("sha256:abc..." becomes "=c2hhMjU2OmFiYy4uLg==").
/// </summary>
public static class BigDataFileName
{
    /// <summary>The file name for big data key <paramref name="key"/>.</summary>
    public static string For(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        foreach (var c in key)
        {
            if (c is not ('.' or (>= '0' and <= '9') or (>= 'a' and <= 'z')))
            {
                return "=" + Convert.ToBase64String(Encoding.UTF8.GetBytes(key));
            }
        }

        return key;
    }
}
