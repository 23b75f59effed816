namespace CriO.Image.Registry;

/// <summary>
/// One challenge of a WWW-Authenticate header (RFC 7235): a scheme and its parameters, e.g.
/// <c>Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"</c>.
/// </summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>Parses the header's value; unknown or malformed parts are skipped rather than trusted.</summary>
    public static IReadOnlyList<AuthChallenge> Parse(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var challenges = new List<AuthChallenge>();
        var i = 0;
        while (i < header.Length)
        {
            while (i < header.Length && (header[i] == ' ' || header[i] == ','))
            {
                i++;
            }

            var schemeStart = i;
            while (i < header.Length && header[i] != ' ' && header[i] != ',')
            {
                i++;
            }

            if (i == schemeStart)
            {
                break;
            }

            var scheme = header[schemeStart..i];
            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (i < header.Length)
            {
                while (i < header.Length && (header[i] == ' ' || header[i] == ','))
                {
                    i++;
                }

                var nameStart = i;
                while (i < header.Length && header[i] != '=' && header[i] != ' ' && header[i] != ',')
                {
                    i++;
                }

                if (i >= header.Length || header[i] != '=')
                {
                    // Not "name=value": the start of the next challenge.
                    i = nameStart;
                    break;
                }

                var name = header[nameStart..i];
                i++;
                string value;
                if (i < header.Length && header[i] == '"')
                {
                    var builder = new System.Text.StringBuilder();
                    for (i++; i < header.Length && header[i] != '"'; i++)
                    {
                        if (header[i] == '\\' && i + 1 < header.Length)
                        {
                            i++;
                        }

                        builder.Append(header[i]);
                    }

                    i++;
                    value = builder.ToString();
                }
                else
                {
                    var valueStart = i;
                    while (i < header.Length && header[i] != ',')
                    {
                        i++;
                    }

                    value = header[valueStart..i].Trim();
                }

                parameters[name] = value;
            }

            challenges.Add(new AuthChallenge(scheme, parameters));
        }

        return challenges;
    }
}
