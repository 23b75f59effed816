using System.Text.Json;
using System.Text.Json.Serialization;
using CriO.Image.Reference;
using CriO.Image.Registry;

namespace CriO.Image.Pull;

/// <summary>
/// Credentials from a containers-auth.json file (global_auth_file; podman login writes one):
/// <c>{"auths": {"registry.example.com/team": {"auth": "base64(user:password)"}}}</c>, the most
/// specific key (registry/namespace/repository, then shorter paths, then the registry) winning.
/// </summary>
public static class AuthFile
{
    private const int MaxBytes = 1024 * 1024;

    public static RegistryCredentials? Find(string path, ImageReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (string.IsNullOrEmpty(path) || !File.Exists(path) || new FileInfo(path).Length > MaxBytes)
        {
            return null;
        }

        var auths = JsonSerializer.Deserialize(File.ReadAllBytes(path), AuthFileJsonContext.Default.AuthFileDocument)?.Auths;
        if (auths is null)
        {
            return null;
        }

        // registry/a/b/c, registry/a/b, registry/a, registry.
        var key = $"{reference.Domain}/{reference.Path}";
        while (true)
        {
            if (auths.TryGetValue(key, out var entry) && entry.Auth is { Length: > 0 } auth)
            {
                return RegistryCredentials.FromAuth(auth);
            }

            if (auths.TryGetValue(key, out entry) && entry.IdentityToken is { Length: > 0 } identity)
            {
                return new RegistryCredentials(IdentityToken: identity);
            }

            var slash = key.LastIndexOf('/');
            if (slash < 0)
            {
                return reference.Domain == "docker.io" && auths.TryGetValue("https://index.docker.io/v1/", out var hub) && hub.Auth is { Length: > 0 } hubAuth
                    ? RegistryCredentials.FromAuth(hubAuth)
                    : null;
            }

            key = key[..slash];
        }
    }
}

internal sealed class AuthFileDocument
{
    [JsonPropertyName("auths")]
    public Dictionary<string, AuthFileEntry>? Auths { get; set; }
}

internal sealed class AuthFileEntry
{
    [JsonPropertyName("auth")]
    public string? Auth { get; set; }

    [JsonPropertyName("identitytoken")]
    public string? IdentityToken { get; set; }
}

[JsonSerializable(typeof(AuthFileDocument))]
internal sealed partial class AuthFileJsonContext : JsonSerializerContext;
