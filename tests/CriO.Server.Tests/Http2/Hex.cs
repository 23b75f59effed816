namespace CriO.Server.Tests.Http2;

/// <summary>Hex dumps as the RFCs print them ("8286 8441 ..."), to bytes.</summary>
internal static class Hex
{
    public static byte[] Parse(string dump) =>
        Convert.FromHexString(dump.Replace(" ", string.Empty, StringComparison.Ordinal)
            .Replace("\n", string.Empty, StringComparison.Ordinal));
}
