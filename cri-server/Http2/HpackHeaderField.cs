using System.Text;

namespace CriO.Server.Http2;

/// <summary>
/// One decoded header field. Name and value stay octets: HPACK carries bytes, and turning them
/// into strings and back could change a byte an intermediary must pass on unchanged.
/// </summary>
/// <param name="Name">Field name octets; treat as read-only, the dynamic table may share the array.</param>
/// <param name="Value">Field value octets; treat as read-only, likewise.</param>
/// <param name="NeverIndexed">
/// The sender used the never-indexed representation; an intermediary must re-encode the field
/// the same way (RFC 7541 §7.1.3), so it travels with the field.
/// </param>
internal readonly record struct HpackHeaderField(byte[] Name, byte[] Value, bool NeverIndexed = false)
{
    /// <summary>Per-entry overhead the RFC adds to name and value lengths (RFC 7541 §4.1).</summary>
    public const int EntryOverhead = 32;

    /// <summary>Size of the field as the dynamic table and header-list limits count it.</summary>
    public int Size => Name.Length + Value.Length + EntryOverhead;

    public static HpackHeaderField FromAscii(string name, string value, bool neverIndexed = false) =>
        new(Encoding.ASCII.GetBytes(name), Encoding.ASCII.GetBytes(value), neverIndexed);

    public bool Equals(HpackHeaderField other) =>
        NeverIndexed == other.NeverIndexed
        && Name.AsSpan().SequenceEqual(other.Name)
        && Value.AsSpan().SequenceEqual(other.Value);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Name);
        hash.AddBytes(Value);
        hash.Add(NeverIndexed);
        return hash.ToHashCode();
    }

    // Latin-1 maps every octet to one char, so test failures and logs show exactly what came in.
    public override string ToString() =>
        $"{Encoding.Latin1.GetString(Name)}: {Encoding.Latin1.GetString(Value)}{(NeverIndexed ? " (never indexed)" : string.Empty)}";
}
