using System.Text.Json.Serialization;

namespace CriO.Image.Registry;

/// <summary>A token server's answer (docker token auth spec): token or access_token, and its lifetime.</summary>
internal sealed class TokenResponse
{
    [JsonPropertyName("token")]
    public string? Token { get; set; }

    [JsonPropertyName("access_token")]
    public string? AccessToken { get; set; }

    [JsonPropertyName("expires_in")]
    public int ExpiresIn { get; set; }
}

/// <summary>A registry's error body (distribution spec): errors[].code and message.</summary>
internal sealed class RegistryErrors
{
    [JsonPropertyName("errors")]
    public List<RegistryError>? Errors { get; set; }
}

internal sealed class RegistryError
{
    [JsonPropertyName("code")]
    public string? Code { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }
}

[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RegistryErrors))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
