using System.Security.Cryptography;
using System.Text;

namespace CriO.Storage.Store;

/// <summary>IDs as containers/storage and containers/image make them (FORMAT.md, section 1).</summary>
public static class StoreIds
{
    /// <summary>
    /// The ID containers/image gives a pulled layer: its DiffID's hex on a base layer, else the
    /// hex of sha256("PARENT+DIFFIDHEX"), so the same layer stack gets the same IDs everywhere.
    /// </summary>
    public static string ForLayer(string? parentId, string diffId)
    {
        ArgumentNullException.ThrowIfNull(diffId);
        var hex = Hex(diffId);
        return parentId is null ? hex : Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes($"{parentId}+{hex}")));
    }

    /// <summary>A random ID: 32 bytes of hex, redrawn while the first 12 digits are all decimal (so a short ID never reads as a number).</summary>
    public static string Random()
    {
        while (true)
        {
            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            if (!id.AsSpan(0, 12).ContainsAnyExceptInRange('0', '9'))
            {
                continue;
            }

            return id;
        }
    }

    public static bool IsValid(string id) => id.Length == 64 && !id.AsSpan().ContainsAnyExcept("0123456789abcdef");

    /// <summary>"sha256:HEX" → "HEX", refusing anything that is not a sha256 digest.</summary>
    public static string Hex(string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        const string Prefix = "sha256:";
        if (!digest.StartsWith(Prefix, StringComparison.Ordinal) || !IsValid(digest[Prefix.Length..]))
        {
            throw new ArgumentException($"not a sha256 digest: \"{digest}\"", nameof(digest));
        }

        return digest[Prefix.Length..];
    }
}
