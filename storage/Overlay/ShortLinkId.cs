using System.Security.Cryptography;

namespace CriO.Storage.Overlay;

/// <summary>
/// The 26-character names of the links in overlay/l/: upper-case base32 (A-Z, 2-7) of random
/// bytes, the alphabet and length containers/storage uses, so the names of both tools mix in one
/// folder without looking foreign to either.
/// </summary>
internal static class ShortLinkId
{
    public const int Length = 26;
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Create()
    {
        Span<byte> random = stackalloc byte[Length];
        RandomNumberGenerator.Fill(random);
        Span<char> id = stackalloc char[Length];
        for (var i = 0; i < Length; i++)
        {
            id[i] = Alphabet[random[i] & 31];
        }

        return new string(id);
    }

    public static bool IsValid(string id) => id.Length == Length && id.All(c => Alphabet.Contains(c, StringComparison.Ordinal));
}
