namespace CriO.Storage.Archive;

/// <summary>
/// Lexical rules for the names inside a layer. A name is made relative to the layer root
/// (leading slashes dropped: "/etc/passwd" is the layer's etc/passwd), "." and empty
/// components are dropped and ".." removes the component before it, like Go's filepath.Clean,
/// which containers/storage applies to every entry. A ".." with nothing left to remove would
/// climb out of the layer and makes the name invalid; symlinks met while resolving the
/// result are a separate matter, handled by resolving inside the root (see DiffTree).
/// </summary>
internal static class LayerPath
{
    /// <summary>
    /// Writes the cleaned relative form of <paramref name="name"/> into <paramref name="destination"/>
    /// (at least as long as <paramref name="name"/>) and returns its length (0: the layer root),
    /// or -1 when a ".." climbs out of the layer.
    /// </summary>
    public static int Normalize(ReadOnlySpan<byte> name, Span<byte> destination)
    {
        var length = 0;
        var i = 0;
        while (i < name.Length)
        {
            if (name[i] == (byte)'/')
            {
                i++;
                continue;
            }

            var end = name[i..].IndexOf((byte)'/');
            var component = end < 0 ? name[i..] : name.Slice(i, end);
            i += component.Length;
            if (component.SequenceEqual("."u8))
            {
                continue;
            }

            if (component.SequenceEqual(".."u8))
            {
                if (length == 0)
                {
                    return -1;
                }

                var slash = destination[..length].LastIndexOf((byte)'/');
                length = slash < 0 ? 0 : slash;
                continue;
            }

            if (length > 0)
            {
                destination[length++] = (byte)'/';
            }

            component.CopyTo(destination[length..]);
            length += component.Length;
        }

        return length;
    }

    /// <summary>The directory part of a normalized path (empty for a name in the root).</summary>
    public static ReadOnlySpan<byte> Parent(ReadOnlySpan<byte> path)
    {
        var slash = path.LastIndexOf((byte)'/');
        return slash < 0 ? [] : path[..slash];
    }

    /// <summary>The last component of a normalized path.</summary>
    public static ReadOnlySpan<byte> Leaf(ReadOnlySpan<byte> path) => path[(path.LastIndexOf((byte)'/') + 1)..];

    /// <summary>
    /// Go's path/filepath.Clean, byte for byte: tar-split uses it to detect the same path twice,
    /// so duplicates must be judged by exactly its rules ("./a" and "a" are one path; "/a" and
    /// "a" are two).
    /// </summary>
    public static byte[] GoClean(ReadOnlySpan<byte> path)
    {
        if (path.IsEmpty)
        {
            return "."u8.ToArray();
        }

        var rooted = path[0] == (byte)'/';
        var output = new byte[path.Length + 1];
        var w = 0;
        var r = 0;
        var dotdot = 0; // where ".." may no longer backtrack
        if (rooted)
        {
            output[w++] = (byte)'/';
            r = 1;
            dotdot = 1;
        }

        var n = path.Length;
        while (r < n)
        {
            if (path[r] == (byte)'/')
            {
                r++;
            }
            else if (path[r] == (byte)'.' && (r + 1 == n || path[r + 1] == (byte)'/'))
            {
                r++;
            }
            else if (path[r] == (byte)'.' && path[r + 1] == (byte)'.' && (r + 2 == n || path[r + 2] == (byte)'/'))
            {
                r += 2;
                if (w > dotdot)
                {
                    w--;
                    while (w > dotdot && output[w] != (byte)'/')
                    {
                        w--;
                    }
                }
                else if (!rooted)
                {
                    if (w > 0)
                    {
                        output[w++] = (byte)'/';
                    }

                    output[w++] = (byte)'.';
                    output[w++] = (byte)'.';
                    dotdot = w;
                }
            }
            else
            {
                if ((rooted && w != 1) || (!rooted && w != 0))
                {
                    output[w++] = (byte)'/';
                }

                while (r < n && path[r] != (byte)'/')
                {
                    output[w++] = path[r++];
                }
            }
        }

        return w == 0 ? "."u8.ToArray() : output.AsSpan(0, w).ToArray();
    }
}
