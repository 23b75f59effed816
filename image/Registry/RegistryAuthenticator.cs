using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace CriO.Image.Registry;

/// <summary>
/// Answers a registry's 401 challenge: Basic with the username and password, or Bearer with a
/// token from the challenge's realm for the challenge's service and scope (docker token auth:
/// GET with Basic credentials, or an OAuth2 refresh-token POST for an identity token). Tokens
/// are cached per scope until shortly before they expire.
/// </summary>
internal sealed class RegistryAuthenticator(HttpClient tokenClient, RegistryCredentials credentials, TimeProvider time)
{
    // A token without a stated lifetime lives 60 s (docker token spec); renew 10 s early.
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RenewMargin = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, (string Header, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);

    /// <summary>The Authorization header to retry with, or null when nothing can answer the challenge.</summary>
    public async Task<AuthenticationHeaderValue?> AnswerAsync(HttpResponseMessage unauthorized, string scope, CancellationToken cancellationToken)
    {
        var challenges = unauthorized.Headers.WwwAuthenticate.Select(h => AuthChallenge.Parse(h.ToString())).SelectMany(c => c).ToList();
        if (credentials.RegistryToken is { Length: > 0 } registryToken)
        {
            return new AuthenticationHeaderValue("Bearer", registryToken);
        }

        if (challenges.FirstOrDefault(c => c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) is { } bearer && bearer["realm"] is { } realm)
        {
            var wanted = bearer["scope"] ?? scope;
            var key = $"{realm} {bearer["service"]} {wanted}";
            if (_tokens.TryGetValue(key, out var cached) && cached.Expires > time.GetUtcNow())
            {
                return AuthenticationHeaderValue.Parse(cached.Header);
            }

            var (token, lifetime) = await FetchTokenAsync(realm, bearer["service"], wanted, cancellationToken).ConfigureAwait(false);
            _tokens[key] = ($"Bearer {token}", time.GetUtcNow() + lifetime - RenewMargin);
            return new AuthenticationHeaderValue("Bearer", token);
        }

        if (challenges.Any(c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)) && credentials.HasPassword)
        {
            return BasicHeader();
        }

        return null;
    }

    private AuthenticationHeaderValue BasicHeader() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")));

    private async Task<(string Token, TimeSpan Lifetime)> FetchTokenAsync(string realm, string? service, string scope, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || (realmUri.Scheme != Uri.UriSchemeHttps && realmUri.Scheme != Uri.UriSchemeHttp))
        {
            throw new RegistryException($"token realm \"{realm}\" is not an http(s) URL");
        }

        using var request = credentials.IdentityToken is { Length: > 0 } identityToken
            ? new HttpRequestMessage(HttpMethod.Post, realmUri)
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "refresh_token",
                    ["refresh_token"] = identityToken,
                    ["service"] = service ?? "",
                    ["scope"] = scope,
                    ["client_id"] = "crio",
                }),
            }
            : new HttpRequestMessage(HttpMethod.Get, WithQuery(realmUri, service, scope));
        if (credentials.IdentityToken is null && credentials.HasPassword)
        {
            request.Headers.Authorization = BasicHeader();
        }

        using var response = await tokenClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new RegistryException($"token server {realmUri.Host} refused {credentials} for {scope}: HTTP {(int)response.StatusCode}", response.StatusCode);
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (body.Length > 1024 * 1024)
        {
            throw new RegistryException($"token server {realmUri.Host} answered {body.Length} bytes");
        }

        var parsed = JsonSerializer.Deserialize(body, RegistryJsonContext.Default.TokenResponse);
        var token = parsed?.Token is { Length: > 0 } t ? t : parsed?.AccessToken;
        if (string.IsNullOrEmpty(token))
        {
            throw new RegistryException($"token server {realmUri.Host} answered without a token");
        }

        return (token, parsed!.ExpiresIn > 0 ? TimeSpan.FromSeconds(parsed.ExpiresIn) : DefaultLifetime);
    }

    private static Uri WithQuery(Uri realm, string? service, string scope)
    {
        var query = new StringBuilder(realm.Query.TrimStart('?'));
        void Add(string name, string value) => query.Append(query.Length > 0 ? "&" : "").Append(name).Append('=').Append(Uri.EscapeDataString(value));
        if (!string.IsNullOrEmpty(service))
        {
            Add("service", service);
        }

        Add("scope", scope);
        return new UriBuilder(realm) { Query = query.ToString() }.Uri;
    }
}
