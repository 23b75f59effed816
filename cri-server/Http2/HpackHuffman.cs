using System.Buffers;

namespace CriO.Server.Http2;

/// <summary>
/// The static Huffman code of HPACK string literals (RFC 7541 §5.2 and Appendix B).
/// </summary>
/// <remarks>
/// Decoding walks the code tree four bits at a time through a table built once from the RFC's
/// code list: 256 tree nodes × 16 nibbles. The code never emits more than one symbol per nibble
/// because its shortest codes are five bits long.
/// </remarks>
internal static class HpackHuffman
{
    // RFC 7541 Appendix B, code as hex aligned to the least significant bit, by symbol;
    // index 256 is EOS. Eight symbols a row; the comment names the first symbol of the row.
    private static readonly uint[] s_codes =
    [
        /*   0 */ 0x1ff8, 0x7fffd8, 0xfffffe2, 0xfffffe3, 0xfffffe4, 0xfffffe5, 0xfffffe6, 0xfffffe7,
        /*   8 */ 0xfffffe8, 0xffffea, 0x3ffffffc, 0xfffffe9, 0xfffffea, 0x3ffffffd, 0xfffffeb, 0xfffffec,
        /*  16 */ 0xfffffed, 0xfffffee, 0xfffffef, 0xffffff0, 0xffffff1, 0xffffff2, 0x3ffffffe, 0xffffff3,
        /*  24 */ 0xffffff4, 0xffffff5, 0xffffff6, 0xffffff7, 0xffffff8, 0xffffff9, 0xffffffa, 0xffffffb,
        /*  32 */ 0x14, 0x3f8, 0x3f9, 0xffa, 0x1ff9, 0x15, 0xf8, 0x7fa,
        /*  40 */ 0x3fa, 0x3fb, 0xf9, 0x7fb, 0xfa, 0x16, 0x17, 0x18,
        /*  48 */ 0x0, 0x1, 0x2, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
        /*  56 */ 0x1e, 0x1f, 0x5c, 0xfb, 0x7ffc, 0x20, 0xffb, 0x3fc,
        /*  64 */ 0x1ffa, 0x21, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62,
        /*  72 */ 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a,
        /*  80 */ 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72,
        /*  88 */ 0xfc, 0x73, 0xfd, 0x1ffb, 0x7fff0, 0x1ffc, 0x3ffc, 0x22,
        /*  96 */ 0x7ffd, 0x3, 0x23, 0x4, 0x24, 0x5, 0x25, 0x26,
        /* 104 */ 0x27, 0x6, 0x74, 0x75, 0x28, 0x29, 0x2a, 0x7,
        /* 112 */ 0x2b, 0x76, 0x2c, 0x8, 0x9, 0x2d, 0x77, 0x78,
        /* 120 */ 0x79, 0x7a, 0x7b, 0x7ffe, 0x7fc, 0x3ffd, 0x1ffd, 0xffffffc,
        /* 128 */ 0xfffe6, 0x3fffd2, 0xfffe7, 0xfffe8, 0x3fffd3, 0x3fffd4, 0x3fffd5, 0x7fffd9,
        /* 136 */ 0x3fffd6, 0x7fffda, 0x7fffdb, 0x7fffdc, 0x7fffdd, 0x7fffde, 0xffffeb, 0x7fffdf,
        /* 144 */ 0xffffec, 0xffffed, 0x3fffd7, 0x7fffe0, 0xffffee, 0x7fffe1, 0x7fffe2, 0x7fffe3,
        /* 152 */ 0x7fffe4, 0x1fffdc, 0x3fffd8, 0x7fffe5, 0x3fffd9, 0x7fffe6, 0x7fffe7, 0xffffef,
        /* 160 */ 0x3fffda, 0x1fffdd, 0xfffe9, 0x3fffdb, 0x3fffdc, 0x7fffe8, 0x7fffe9, 0x1fffde,
        /* 168 */ 0x7fffea, 0x3fffdd, 0x3fffde, 0xfffff0, 0x1fffdf, 0x3fffdf, 0x7fffeb, 0x7fffec,
        /* 176 */ 0x1fffe0, 0x1fffe1, 0x3fffe0, 0x1fffe2, 0x7fffed, 0x3fffe1, 0x7fffee, 0x7fffef,
        /* 184 */ 0xfffea, 0x3fffe2, 0x3fffe3, 0x3fffe4, 0x7ffff0, 0x3fffe5, 0x3fffe6, 0x7ffff1,
        /* 192 */ 0x3ffffe0, 0x3ffffe1, 0xfffeb, 0x7fff1, 0x3fffe7, 0x7ffff2, 0x3fffe8, 0x1ffffec,
        /* 200 */ 0x3ffffe2, 0x3ffffe3, 0x3ffffe4, 0x7ffffde, 0x7ffffdf, 0x3ffffe5, 0xfffff1, 0x1ffffed,
        /* 208 */ 0x7fff2, 0x1fffe3, 0x3ffffe6, 0x7ffffe0, 0x7ffffe1, 0x3ffffe7, 0x7ffffe2, 0xfffff2,
        /* 216 */ 0x1fffe4, 0x1fffe5, 0x3ffffe8, 0x3ffffe9, 0xffffffd, 0x7ffffe3, 0x7ffffe4, 0x7ffffe5,
        /* 224 */ 0xfffec, 0xfffff3, 0xfffed, 0x1fffe6, 0x3fffe9, 0x1fffe7, 0x1fffe8, 0x7ffff3,
        /* 232 */ 0x3fffea, 0x3fffeb, 0x1ffffee, 0x1ffffef, 0xfffff4, 0xfffff5, 0x3ffffea, 0x7ffff4,
        /* 240 */ 0x3ffffeb, 0x7ffffe6, 0x3ffffec, 0x3ffffed, 0x7ffffe7, 0x7ffffe8, 0x7ffffe9, 0x7ffffea,
        /* 248 */ 0x7ffffeb, 0xffffffe, 0x7ffffec, 0x7ffffed, 0x7ffffee, 0x7ffffef, 0x7fffff0, 0x3ffffee,
        /* 256 */ 0x3fffffff,
    ];

    // RFC 7541 Appendix B, code length in bits, same order as s_codes.
    private static readonly byte[] s_lengths =
    [
        /*   0 */ 13, 23, 28, 28, 28, 28, 28, 28,
        /*   8 */ 28, 24, 30, 28, 28, 30, 28, 28,
        /*  16 */ 28, 28, 28, 28, 28, 28, 30, 28,
        /*  24 */ 28, 28, 28, 28, 28, 28, 28, 28,
        /*  32 */ 6, 10, 10, 12, 13, 6, 8, 11,
        /*  40 */ 10, 10, 8, 11, 8, 6, 6, 6,
        /*  48 */ 5, 5, 5, 6, 6, 6, 6, 6,
        /*  56 */ 6, 6, 7, 8, 15, 6, 12, 10,
        /*  64 */ 13, 6, 7, 7, 7, 7, 7, 7,
        /*  72 */ 7, 7, 7, 7, 7, 7, 7, 7,
        /*  80 */ 7, 7, 7, 7, 7, 7, 7, 7,
        /*  88 */ 8, 7, 8, 13, 19, 13, 14, 6,
        /*  96 */ 15, 5, 6, 5, 6, 5, 6, 6,
        /* 104 */ 6, 5, 7, 7, 6, 6, 6, 5,
        /* 112 */ 6, 7, 6, 5, 5, 6, 7, 7,
        /* 120 */ 7, 7, 7, 15, 11, 14, 13, 28,
        /* 128 */ 20, 22, 20, 20, 22, 22, 22, 23,
        /* 136 */ 22, 23, 23, 23, 23, 23, 24, 23,
        /* 144 */ 24, 24, 22, 23, 24, 23, 23, 23,
        /* 152 */ 23, 21, 22, 23, 22, 23, 23, 24,
        /* 160 */ 22, 21, 20, 22, 22, 23, 23, 21,
        /* 168 */ 23, 22, 22, 24, 21, 22, 23, 23,
        /* 176 */ 21, 21, 22, 21, 23, 22, 23, 23,
        /* 184 */ 20, 22, 22, 22, 23, 22, 22, 23,
        /* 192 */ 26, 26, 20, 19, 22, 23, 22, 25,
        /* 200 */ 26, 26, 26, 27, 27, 26, 24, 25,
        /* 208 */ 19, 21, 26, 27, 27, 26, 27, 24,
        /* 216 */ 21, 21, 26, 26, 28, 27, 27, 27,
        /* 224 */ 20, 24, 20, 21, 22, 21, 21, 23,
        /* 232 */ 22, 22, 25, 25, 24, 24, 26, 23,
        /* 240 */ 26, 27, 26, 26, 27, 27, 27, 27,
        /* 248 */ 27, 28, 27, 27, 27, 27, 27, 26,
        /* 256 */ 30,
    ];

    private const int EndOfString = 256;

    // One transition per (tree node, nibble). A node is a prefix of some code; node 0 is the
    // empty prefix. Symbol is -1 when the nibble completes no code.
    private readonly record struct Transition(byte NextNode, short Symbol, bool Fails);

    private static readonly Transition[] s_transitions;

    // Whether ending the string at this node is legal padding: the prefix is all ones and
    // shorter than a byte (§5.2: longer padding, or padding that is not the EOS prefix, is an error).
    private static readonly bool[] s_acceptsEnd;

    static HpackHuffman()
    {
        (int[,] children, int nodeCount) = BuildTree();
        s_transitions = new Transition[nodeCount * 16];
        s_acceptsEnd = new bool[nodeCount];
        MarkPaddingNodes(children, node: 0, depth: 0);

        for (int node = 0; node < nodeCount; node++)
        {
            for (int nibble = 0; nibble < 16; nibble++)
            {
                int current = node;
                short symbol = -1;
                bool fails = false;
                for (int bit = 3; bit >= 0; bit--)
                {
                    int child = children[current, (nibble >> bit) & 1];
                    if (child >= 0)
                    {
                        current = child;
                        continue;
                    }

                    int decoded = ~child;
                    if (decoded == EndOfString)
                    {
                        fails = true;
                        break;
                    }

                    symbol = (short)decoded;
                    current = 0;
                }

                s_transitions[(node * 16) + nibble] = new Transition((byte)current, symbol, fails);
            }
        }
    }

    /// <summary>Code bit count of one symbol; exposed so tests can check the table is canonical.</summary>
    internal static int GetCodeLength(int symbol) => s_lengths[symbol];

    /// <summary>Code of one symbol, aligned to the least significant bit.</summary>
    internal static uint GetCode(int symbol) => s_codes[symbol];

    /// <summary>Number of bytes <see cref="Encode"/> writes for <paramref name="source"/>.</summary>
    public static int GetEncodedLength(ReadOnlySpan<byte> source)
    {
        long bits = 0;
        foreach (byte b in source)
        {
            bits += s_lengths[b];
        }

        return checked((int)((bits + 7) / 8));
    }

    /// <summary>Appends the Huffman code of <paramref name="source"/>, padded with ones to a byte.</summary>
    public static void Encode(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);

        int length = GetEncodedLength(source);
        Span<byte> output = destination.GetSpan(length);
        ulong pending = 0;
        int pendingBits = 0;
        int written = 0;
        foreach (byte b in source)
        {
            // At most 7 bits wait from the previous symbol, plus a code of at most 30: fits in 64.
            pending = (pending << s_lengths[b]) | s_codes[b];
            pendingBits += s_lengths[b];
            while (pendingBits >= 8)
            {
                pendingBits -= 8;
                output[written++] = (byte)(pending >> pendingBits);
            }
        }

        if (pendingBits > 0)
        {
            int padding = 8 - pendingBits;
            output[written++] = (byte)((pending << padding) | ((1u << padding) - 1));
        }

        destination.Advance(written);
    }

    /// <summary>
    /// Appends the octets coded in <paramref name="source"/> and returns how many there were.
    /// </summary>
    /// <exception cref="HpackDecodingException">EOS in the data, or padding that is too long or not all ones.</exception>
    public static int Decode(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);

        // Five bits is the shortest code, so the output is at most 8/5 of the input.
        Span<byte> output = destination.GetSpan(GetMaxDecodedLength(source.Length));
        Transition[] transitions = s_transitions;
        int node = 0;
        int written = 0;
        foreach (byte b in source)
        {
            Transition high = transitions[(node * 16) + (b >> 4)];
            if (high.Fails)
            {
                throw new HpackDecodingException("Huffman data contains the EOS symbol.");
            }

            if (high.Symbol >= 0)
            {
                output[written++] = (byte)high.Symbol;
            }

            Transition low = transitions[(high.NextNode * 16) + (b & 0xf)];
            if (low.Fails)
            {
                throw new HpackDecodingException("Huffman data contains the EOS symbol.");
            }

            if (low.Symbol >= 0)
            {
                output[written++] = (byte)low.Symbol;
            }

            node = low.NextNode;
        }

        if (!s_acceptsEnd[node])
        {
            throw new HpackDecodingException("Huffman padding is longer than 7 bits or not all ones.");
        }

        destination.Advance(written);
        return written;
    }

    private static int GetMaxDecodedLength(int encodedLength) => (int)(((long)encodedLength * 8) / 5);

    // children[node, bit] is the next node (>= 0) or the complement of a symbol (< 0).
    private static (int[,] Children, int NodeCount) BuildTree()
    {
        // A complete binary tree with 257 leaves has 256 inner nodes.
        var children = new int[256, 2];
        for (int i = 0; i < 256; i++)
        {
            children[i, 0] = children[i, 1] = int.MinValue;
        }

        int nodeCount = 1;
        for (int symbol = 0; symbol <= EndOfString; symbol++)
        {
            uint code = s_codes[symbol];
            int node = 0;
            for (int bit = s_lengths[symbol] - 1; bit > 0; bit--)
            {
                int branch = (int)((code >> bit) & 1);
                if (children[node, branch] == int.MinValue)
                {
                    children[node, branch] = nodeCount++;
                }

                node = children[node, branch];
            }

            children[node, (int)(code & 1)] = ~symbol;
        }

        return (children, nodeCount);
    }

    private static void MarkPaddingNodes(int[,] children, int node, int depth)
    {
        if (depth > 7)
        {
            return;
        }

        s_acceptsEnd[node] = true;
        int onesChild = children[node, 1];
        if (onesChild >= 0)
        {
            MarkPaddingNodes(children, onesChild, depth + 1);
        }
    }
}
