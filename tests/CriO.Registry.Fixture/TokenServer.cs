using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CriO.Registry.Fixture.Http;

namespace CriO.Registry.Fixture;

/// <summary>
/// A Docker token-auth server on loopback (the flow of the distribution spec's token.md): the
/// registry answers 401 with <c>WWW-Authenticate: Bearer realm=".../token",service=...,scope=...</c>,
/// the client calls <c>GET /token?service=S&amp;scope=repository:NAME:pull,push</c> with Basic
/// credentials (or none), and gets <c>{"token", "access_token", "expires_in", "issued_at"}</c>
/// holding a JWT that grants the requested actions the account may do. Counts what it served,
/// so tests can assert the flow ran.
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    private static readonly string[] PushActions = ["pull", "push", "delete", "*"];
    private static readonly string[] PullActions = ["pull"];

    private readonly TokenSigner _signer = new();
    private readonly ConcurrentQueue<string> _scopes = new();
    private readonly string _directory;
    private LoopbackHttpServer? _server;
    private int _tokenRequests;
    private int _tokensIssued;
    private int _refused;

    private TokenServer(TokenServerOptions options)
    {
        Options = options;
        _directory = Directory.CreateTempSubdirectory("crio-token-server-").FullName;
        SigningCertificatePath = Path.Combine(_directory, "token-signer.crt");
        File.WriteAllText(SigningCertificatePath, _signer.Certificate.ExportCertificatePem() + "\n");
    }

    public TokenServerOptions Options { get; }

    /// <summary>"127.0.0.1:PORT".</summary>
    public string Host => Server.Host;

    /// <summary>The token endpoint: the registry's <c>auth.token.realm</c>.</summary>
    public Uri Realm => new($"http://{Host}/token");

    public string Service => Options.Service;

    public string Issuer => Options.Issuer;

    /// <summary>The signing key's self-signed certificate (PEM): the registry's <c>auth.token.rootcertbundle</c>.</summary>
    public string SigningCertificatePath { get; }

    /// <summary>The libtrust key ID of the signing key (the JWT header's <c>kid</c>).</summary>
    public string KeyId => _signer.KeyId;

    /// <summary>Requests to /token, answered or refused.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>Tokens handed out.</summary>
    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    /// <summary>Token requests refused for bad credentials (401) or a wrong service (400).</summary>
    public int RequestsRefused => Volatile.Read(ref _refused);

    /// <summary>Every scope asked for, in order (e.g. "repository:busybox:pull,push").</summary>
    public IReadOnlyList<string> RequestedScopes => [.. _scopes];

    private LoopbackHttpServer Server => _server ?? throw new ObjectDisposedException(nameof(TokenServer));

    public static Task<TokenServer> StartAsync(TokenServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var server = new TokenServer(options ?? new TokenServerOptions());
        server._server = LoopbackHttpServer.Start(server.HandleAsync);
        return Task.FromResult(server);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.DisposeAsync().ConfigureAwait(false);
        }

        _signer.Dispose();
        TempDirectory.Delete(_directory);
    }

    private async Task HandleAsync(HttpExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        if (request.Path != "/token")
        {
            await exchange.RespondAsync(404, "not found", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (request.Method != "GET")
        {
            await exchange.RespondAsync(405, "only GET /token is served", cancellationToken).ConfigureAwait(false);
            return;
        }

        Interlocked.Increment(ref _tokenRequests);
        TokenUser? user = null;
        if (request.Headers.TryGetValue("Authorization", out var authorization))
        {
            user = Authenticate(authorization);
            if (user is null)
            {
                Interlocked.Increment(ref _refused);
                await RespondErrorAsync(exchange, 401, "UNAUTHORIZED", "bad credentials", cancellationToken,
                    new KeyValuePair<string, string>("WWW-Authenticate", $"Basic realm=\"{Options.Issuer}\"")).ConfigureAwait(false);
                return;
            }
        }

        var service = request.QueryValues("service").FirstOrDefault() ?? Options.Service;
        if (service != Options.Service)
        {
            Interlocked.Increment(ref _refused);
            await RespondErrorAsync(exchange, 400, "DENIED", $"unknown service \"{service}\"", cancellationToken).ConfigureAwait(false);
            return;
        }

        var scopes = request.QueryValues("scope").SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        foreach (var scope in scopes)
        {
            _scopes.Enqueue(scope);
        }

        var issuedAt = DateTimeOffset.UtcNow;
        var token = _signer.Sign(Options.IncludeCertificateChain, w => WriteClaims(w, user, Grant(user, scopes), issuedAt));
        Interlocked.Increment(ref _tokensIssued);
        await exchange.RespondAsync(200, JsonBytes.Object(w =>
        {
            w.WriteString("token", token);
            w.WriteString("access_token", token);
            w.WriteNumber("expires_in", (long)Options.Lifetime.TotalSeconds);
            w.WriteString("issued_at", issuedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }), "application/json", cancellationToken).ConfigureAwait(false);
    }

    private TokenUser? Authenticate(string authorization)
    {
        const string Basic = "Basic ";
        if (!authorization.StartsWith(Basic, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[Basic.Length..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        var name = decoded[..colon];
        var password = decoded[(colon + 1)..];
        return Options.Users.FirstOrDefault(u => u.Name == name && u.Password == password);
    }

    /// <summary>
    /// The access claim: for each requested repository scope, the requested actions the account
    /// may do (an account: every action its role allows; no credentials: pull, on the
    /// repositories open to anonymous pulls). Other resource types get nothing.
    /// </summary>
    private List<(string Name, List<string> Actions)> Grant(TokenUser? user, IEnumerable<string> scopes)
    {
        var grants = new List<(string Name, List<string> Actions)>();
        foreach (var scope in scopes)
        {
            // type:name:actions; a name may hold ':' (a registry port), so split at the first and last.
            var first = scope.IndexOf(':', StringComparison.Ordinal);
            var last = scope.LastIndexOf(':');
            if (first < 0 || last <= first || scope[..first] != "repository")
            {
                continue;
            }

            var name = scope[(first + 1)..last];
            var allowed = user is null
                ? (Options.AnonymousPullRepositories.Contains(name) ? PullActions : [])
                : (user.CanPush ? PushActions : PullActions);
            var actions = scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries).Where(allowed.Contains).ToList();
            if (actions.Count == 0)
            {
                continue;
            }

            var existing = grants.FindIndex(g => g.Name == name);
            if (existing < 0)
            {
                grants.Add((name, actions));
            }
            else
            {
                grants[existing].Actions.AddRange(actions.Except(grants[existing].Actions));
            }
        }

        return grants;
    }

    private void WriteClaims(Utf8JsonWriter w, TokenUser? user, List<(string Name, List<string> Actions)> grants, DateTimeOffset issuedAt)
    {
        var now = issuedAt.ToUnixTimeSeconds();
        w.WriteString("iss", Options.Issuer);
        w.WriteString("sub", user?.Name ?? "");
        w.WriteString("aud", Options.Service);
        w.WriteNumber("exp", now + (long)Options.Lifetime.TotalSeconds);
        w.WriteNumber("nbf", now);
        w.WriteNumber("iat", now);
        w.WriteString("jti", Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
        w.WriteStartArray("access");
        foreach (var (name, actions) in grants)
        {
            w.WriteStartObject();
            w.WriteString("type", "repository");
            w.WriteString("name", name);
            w.WriteStartArray("actions");
            foreach (var action in actions)
            {
                w.WriteStringValue(action);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static Task RespondErrorAsync(HttpExchange exchange, int status, string code, string message, CancellationToken cancellationToken, params KeyValuePair<string, string>[] headers) =>
        exchange.RespondAsync(status, JsonBytes.Error(code, message), "application/json", cancellationToken, headers);
}
