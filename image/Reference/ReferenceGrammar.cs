using System.Buffers;

namespace CriO.Image.Reference;

/// <summary>
/// The productions of the Docker reference grammar (distribution/reference), checked by hand
/// in one left-to-right pass each: no regex, so no backtracking cost on hostile input. Each
/// check returns null when the text is valid, else the reason it is not.
/// <code>
/// reference       := name [ ":" tag ] [ "@" digest ]
/// name            := [domain "/"] path
/// domain          := host [":" port]
/// host            := domain-name | "[" ipv6 "]"        ; IPv4 is a domain-name
/// domain-name     := component ("." component)*         ; component: [a-zA-Z0-9] or [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
/// port            := [0-9]+
/// path            := path-component ("/" path-component)*
/// path-component  := [a-z0-9]+ (separator [a-z0-9]+)*   ; separator: "." | "_" | "__" | "-"+
/// tag             := [\w][\w.-]{0,127}
/// digest          := algorithm ":" hex                  ; sha256: 64, sha384: 96, sha512: 128 lowercase hex
/// </code>
/// </summary>
internal static class ReferenceGrammar
{
    /// <summary>domain/path, as registries and docker limit it.</summary>
    public const int MaxNameLength = 255;

    public const int MaxTagLength = 128;

    private static readonly SearchValues<char> Ipv6Chars = SearchValues.Create("0123456789abcdefABCDEF:");
    private static readonly SearchValues<char> HexChars = SearchValues.Create("0123456789abcdefABCDEF");
    private static readonly SearchValues<char> LowerHexChars = SearchValues.Create("0123456789abcdef");

    public static string? DomainError(ReadOnlySpan<char> domain)
    {
        if (domain.IsEmpty)
        {
            return "the registry domain is empty";
        }

        int hostEnd;
        if (domain[0] == '[')
        {
            var close = domain.IndexOf(']');
            if (close < 0)
            {
                return "an IPv6 address is not closed with ']'";
            }

            var address = domain[1..close];
            if (address.IsEmpty || address.ContainsAnyExcept(Ipv6Chars))
            {
                return "an IPv6 address in brackets has only hexadecimal digits and ':' (no zone, no IPv4 form)";
            }

            hostEnd = close + 1;
        }
        else
        {
            hostEnd = domain.IndexOf(':');
            if (hostEnd < 0)
            {
                hostEnd = domain.Length;
            }

            var host = domain[..hostEnd];
            foreach (var range in host.Split('.'))
            {
                var reason = DomainComponentError(host[range]);
                if (reason is not null)
                {
                    return reason;
                }
            }
        }

        if (hostEnd == domain.Length)
        {
            return null;
        }

        if (domain[hostEnd] != ':')
        {
            return $"unexpected '{domain[hostEnd]}' after the host";
        }

        var port = domain[(hostEnd + 1)..];
        return port.IsEmpty || port.ContainsAnyExceptInRange('0', '9')
            ? $"the port \"{port}\" is not a number"
            : null;
    }

    public static string? PathError(ReadOnlySpan<char> path)
    {
        if (path.IsEmpty)
        {
            return "the repository path is empty";
        }

        // The most common mistake gets the most direct message.
        if (path.ContainsAnyInRange('A', 'Z'))
        {
            return "repository name must be lowercase";
        }

        foreach (var range in path.Split('/'))
        {
            var reason = PathComponentError(path[range]);
            if (reason is not null)
            {
                return reason;
            }
        }

        return null;
    }

    public static string? PathComponentError(ReadOnlySpan<char> component)
    {
        if (component.IsEmpty)
        {
            return "a path component is empty (\"//\", or a leading or trailing \"/\")";
        }

        var i = 0;
        while (true)
        {
            // An alphanumeric run is required here: at the start and after every separator.
            var runStart = i;
            while (i < component.Length && IsLowerAlphanumeric(component[i]))
            {
                i++;
            }

            if (i == runStart)
            {
                return i == 0
                    ? $"path component \"{component}\" must start with a lowercase letter or digit"
                    : $"path component \"{component}\" has a separator not followed by a letter or digit (separators are '.', '_', '__' or a run of '-')";
            }

            if (i == component.Length)
            {
                return null;
            }

            switch (component[i])
            {
                case '.':
                    i++;
                    break;
                case '_':
                    i++;
                    if (i < component.Length && component[i] == '_')
                    {
                        i++;
                    }

                    break;
                case '-':
                    while (i < component.Length && component[i] == '-')
                    {
                        i++;
                    }

                    break;
                default:
                    return $"path component \"{component}\" contains '{component[i]}' (allowed: a-z, 0-9 and the separators '.', '_', '__', '-')";
            }

            if (i == component.Length)
            {
                return $"path component \"{component}\" must end with a lowercase letter or digit";
            }
        }
    }

    public static string? TagError(ReadOnlySpan<char> tag)
    {
        if (tag.IsEmpty)
        {
            return "the tag after ':' is empty";
        }

        if (tag.Length > MaxTagLength)
        {
            return $"the tag is {tag.Length} characters long, at most {MaxTagLength} are allowed";
        }

        if (!IsWordChar(tag[0]))
        {
            return $"the tag \"{tag}\" must start with a letter, a digit or '_'";
        }

        foreach (var c in tag)
        {
            if (!IsWordChar(c) && c != '.' && c != '-')
            {
                return $"the tag \"{tag}\" contains '{c}' (allowed: letters, digits, '_', '.', '-')";
            }
        }

        return null;
    }

    public static string? DigestError(ReadOnlySpan<char> digest)
    {
        var colon = digest.IndexOf(':');
        if (colon <= 0 || !IsAlgorithm(digest[..colon]) || !IsHex(digest[(colon + 1)..]))
        {
            return $"the digest \"{digest}\" is not algorithm:hex (e.g. sha256: and 64 hexadecimal digits)";
        }

        var algorithm = digest[..colon];
        var hex = digest[(colon + 1)..];
        var expected = algorithm switch
        {
            "sha256" => 64,
            "sha384" => 96,
            "sha512" => 128,
            _ => 0,
        };
        if (expected == 0)
        {
            return $"unsupported digest algorithm \"{algorithm}\" (supported: sha256, sha384, sha512)";
        }

        if (hex.Length != expected)
        {
            return $"a {algorithm} digest has {expected} hexadecimal digits, this one has {hex.Length}";
        }

        return hex.ContainsAnyInRange('A', 'F')
            ? "the digest's hexadecimal digits must be lowercase"
            : null;
    }

    /// <summary>A docker "image ID": 64 lowercase hex digits, never a repository name.</summary>
    public static bool IsImageId(ReadOnlySpan<char> text) =>
        text.Length == 64 && !text.ContainsAnyExcept(LowerHexChars);

    private static string? DomainComponentError(ReadOnlySpan<char> component)
    {
        if (component.IsEmpty)
        {
            return "the registry domain has an empty label (\"..\", or a leading or trailing '.')";
        }

        foreach (var c in component)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return $"the registry domain label \"{component}\" contains '{c}'";
            }
        }

        return component[0] == '-' || component[^1] == '-'
            ? $"the registry domain label \"{component}\" must not start or end with '-'"
            : null;
    }

    // [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*
    private static bool IsAlgorithm(ReadOnlySpan<char> algorithm)
    {
        var expectLetter = true;
        foreach (var c in algorithm)
        {
            if (expectLetter)
            {
                if (!char.IsAsciiLetter(c))
                {
                    return false;
                }

                expectLetter = false;
            }
            else if (c is '-' or '_' or '+' or '.')
            {
                expectLetter = true;
            }
            else if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return !expectLetter;
    }

    // At least 128 bits, as the grammar requires before the per-algorithm length check.
    private static bool IsHex(ReadOnlySpan<char> hex) => hex.Length >= 32 && !hex.ContainsAnyExcept(HexChars);

    private static bool IsLowerAlphanumeric(char c) => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c);

    // Go's \w: ASCII letters, digits and '_'.
    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
