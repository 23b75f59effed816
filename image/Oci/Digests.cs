using System.Security.Cryptography;

namespace CriO.Image.Oci;

/// <summary>sha256 digests of untrusted content, checked before anything is committed.</summary>
public static class Digests
{
    public static string Sha256(ReadOnlySpan<byte> data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static void Verify(string expected, ReadOnlySpan<byte> data, string what)
    {
        var actual = Sha256(data);
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{what}: digest mismatch: expected {expected}, got {actual}");
        }
    }
}
