using System.Buffers.Binary;

namespace CriO.Storage.Archive;

/// <summary>
/// CRC-64 with the ISO 3309 polynomial (x^64 + x^4 + x^3 + x + 1, reflected 0xD800000000000000),
/// initial value and final xor all ones: Go's crc64.Checksum(data, crc64.MakeTable(crc64.ISO)),
/// which tar-split stores, big-endian, as the payload of every file entry. System.IO.Hashing's
/// Crc64 uses the ECMA-182 polynomial and gives different values.
/// </summary>
/// <remarks>Slicing-by-8 (eight 256-entry tables), as Go's own implementation does for long inputs.</remarks>
internal struct Crc64Iso
{
    private const ulong Polynomial = 0xD800000000000000;

    private static readonly ulong[][] Tables = BuildTables();

    private ulong _state;

    public Crc64Iso()
    {
        _state = ulong.MaxValue;
    }

    /// <summary>The checksum of everything appended so far.</summary>
    public readonly ulong Value => ~_state;

    public static ulong Compute(ReadOnlySpan<byte> data)
    {
        var crc = new Crc64Iso();
        crc.Append(data);
        return crc.Value;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        var t = Tables;
        var t0 = t[0];
        var crc = _state;
        while (data.Length >= 8)
        {
            crc ^= BinaryPrimitives.ReadUInt64LittleEndian(data);
            crc = t[7][crc & 0xff] ^
                t[6][(crc >> 8) & 0xff] ^
                t[5][(crc >> 16) & 0xff] ^
                t[4][(crc >> 24) & 0xff] ^
                t[3][(crc >> 32) & 0xff] ^
                t[2][(crc >> 40) & 0xff] ^
                t[1][(crc >> 48) & 0xff] ^
                t0[crc >> 56];
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = t0[(byte)crc ^ b] ^ (crc >> 8);
        }

        _state = crc;
    }

    /// <summary>The checksum as tar-split stores it: 8 bytes, big-endian (Go's hash.Hash64.Sum).</summary>
    public readonly void WriteBigEndian(Span<byte> destination) => BinaryPrimitives.WriteUInt64BigEndian(destination, Value);

    private static ulong[][] BuildTables()
    {
        var tables = new ulong[8][];
        for (var k = 0; k < 8; k++)
        {
            tables[k] = new ulong[256];
        }

        for (var i = 0; i < 256; i++)
        {
            var crc = (ulong)i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) == 1 ? (crc >> 1) ^ Polynomial : crc >> 1;
            }

            tables[0][i] = crc;
        }

        for (var i = 0; i < 256; i++)
        {
            var crc = tables[0][i];
            for (var k = 1; k < 8; k++)
            {
                crc = tables[0][crc & 0xff] ^ (crc >> 8);
                tables[k][i] = crc;
            }
        }

        return tables;
    }
}
