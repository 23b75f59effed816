using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using CriO.TestImages;

namespace CriO.Registry.Fixture.Tests;

public sealed class TokenServerTests
{
    private static readonly TokenServerOptions Accounts = new()
    {
        Users = [new TokenUser("writer", "w-secret"), new TokenUser("reader", "r-secret", CanPush: false)],
        AnonymousPullRepositories = ["public/busybox"],
    };

    [Fact]
    public async Task A_token_is_a_signed_jwt_granting_what_the_account_may_do()
    {
        await using var server = await TokenServer.StartAsync(Accounts);
        using var client = new HttpClient();

        using var response = await client.SendAsync(TokenRequest(server, "writer", "w-secret", "repository:team/app:pull,push"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var token = body.RootElement.GetProperty("token").GetString()!;
        Assert.Equal(token, body.RootElement.GetProperty("access_token").GetString());
        Assert.Equal(300, body.RootElement.GetProperty("expires_in").GetInt32());
        Assert.True(body.RootElement.GetProperty("issued_at").TryGetDateTimeOffset(out _));

        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        Assert.Equal("RS256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal(server.KeyId, header.RootElement.GetProperty("kid").GetString());
        Assert.Matches("^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$", server.KeyId);

        // The x5c certificate is the registry's rootcertbundle, and its key made the signature.
        var x5c = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(header.RootElement.GetProperty("x5c")[0].GetString()!));
        using var bundle = X509CertificateLoader.LoadCertificateFromFile(server.SigningCertificatePath);
        Assert.Equal(bundle.RawData, x5c.RawData);
        using var key = x5c.GetRSAPublicKey()!;
        Assert.True(key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        x5c.Dispose();

        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var root = claims.RootElement;
        Assert.Equal(TokenServerOptions.DefaultIssuer, root.GetProperty("iss").GetString());
        Assert.Equal(TokenServerOptions.DefaultService, root.GetProperty("aud").GetString());
        Assert.Equal("writer", root.GetProperty("sub").GetString());
        Assert.Equal(300, root.GetProperty("exp").GetInt64() - root.GetProperty("iat").GetInt64());
        Assert.True(root.GetProperty("nbf").GetInt64() <= DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.NotEmpty(root.GetProperty("jti").GetString()!);
        Assert.Equal([("team/app", "pull,push")], Access(root));

        Assert.Equal(1, server.TokenRequests);
        Assert.Equal(1, server.TokensIssued);
        Assert.Equal(["repository:team/app:pull,push"], server.RequestedScopes);
    }

    [Fact]
    public async Task Grants_are_limited_to_the_account_and_bad_credentials_are_refused()
    {
        await using var server = await TokenServer.StartAsync(Accounts);
        using var client = new HttpClient();

        Assert.Equal([("team/app", "pull")], await GrantedAsync(client, server, "reader", "r-secret", "repository:team/app:pull,push"));
        Assert.Equal([("public/busybox", "pull")], await GrantedAsync(client, server, null, null, "repository:public/busybox:pull,push"));
        Assert.Empty(await GrantedAsync(client, server, null, null, "repository:team/app:pull"));
        Assert.Empty(await GrantedAsync(client, server, "writer", "w-secret", "registry:catalog:*"));

        using var refused = await client.SendAsync(TokenRequest(server, "writer", "wrong", "repository:team/app:pull"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var otherService = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(server.Realm, "?service=elsewhere")));
        Assert.Equal(HttpStatusCode.BadRequest, otherService.StatusCode);

        Assert.Equal(6, server.TokenRequests);
        Assert.Equal(4, server.TokensIssued);
        Assert.Equal(2, server.RequestsRefused);
    }

    [Fact]
    public async Task The_registry_accepts_its_tokens_for_push_and_pull_and_the_flow_is_counted()
    {
        await using var tokens = await TokenServer.StartAsync(Accounts);
        await using var registry = await DistributionRegistry.StartAsync(new DistributionRegistryOptions
        {
            Auth = RegistryAuthMode.Token,
            TokenServer = tokens,
            Username = "writer",
            Password = "w-secret",
        });

        // The registry's challenge points at the token server.
        using (var client = registry.CreateHttpClient())
        {
            using var challenge = await client.GetAsync(new Uri("/v2/", UriKind.Relative));
            var bearer = challenge.Headers.WwwAuthenticate.Single();
            Assert.Equal("Bearer", bearer.Scheme);
            Assert.Contains($"realm=\"{tokens.Realm}\"", bearer.Parameter, StringComparison.Ordinal);
            Assert.Contains($"service=\"{tokens.Service}\"", bearer.Parameter, StringComparison.Ordinal);
        }

        var digest = await RegistryImages.PushAsync(registry, BusyboxImages.Busybox(), "public/busybox", "latest");
        Assert.Contains(tokens.RequestedScopes, s => s.StartsWith("repository:public/busybox:", StringComparison.Ordinal) && s.Contains("push", StringComparison.Ordinal));
        var issued = tokens.TokensIssued;
        Assert.True(issued > 0);

        var manifest = await Skopeo.InspectRawAsync(registry.SkopeoOptions(), $"docker://{registry.Host}/public/busybox:latest");
        Assert.Equal(digest, Skopeo.Digest(manifest));
        Assert.True(tokens.TokensIssued > issued);

        // Anonymous pulls of the open repository work, with a token that grants only pull.
        await Skopeo.InspectRawAsync(["--tls-verify=false", "--no-creds"], $"docker://{registry.Host}/public/busybox:latest");

        // A pull-only account cannot push.
        var (exitCode, _, errors) = await Skopeo.RunAsync(
            "copy", "--dest-tls-verify=false", "--dest-creds=reader:r-secret", "--src-tls-verify=false", "--src-creds=writer:w-secret",
            $"docker://{registry.Host}/public/busybox:latest", $"docker://{registry.Host}/team/copy:latest");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("denied", errors, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_registry_finds_the_signing_key_by_its_libtrust_key_id_alone()
    {
        await using var tokens = await TokenServer.StartAsync(new TokenServerOptions { IncludeCertificateChain = false });
        await using var registry = await DistributionRegistry.StartAsync(new DistributionRegistryOptions { Auth = RegistryAuthMode.Token, TokenServer = tokens });

        var digest = await RegistryImages.PushAsync(registry, BusyboxImages.Busybox(), "busybox", "latest");

        var manifest = await Skopeo.InspectRawAsync(registry.SkopeoOptions(), $"docker://{registry.Host}/busybox:latest");
        Assert.Equal(digest, Skopeo.Digest(manifest));
    }

    private static HttpRequestMessage TokenRequest(TokenServer server, string? user, string? password, string scope)
    {
        var request = new HttpRequestMessage(HttpMethod.Get,
            new Uri(server.Realm, $"?service={Uri.EscapeDataString(server.Service)}&scope={Uri.EscapeDataString(scope)}"));
        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        return request;
    }

    private static async Task<List<(string Name, string Actions)>> GrantedAsync(HttpClient client, TokenServer server, string? user, string? password, string scope)
    {
        using var request = TokenRequest(server, user, password, scope);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(body.RootElement.GetProperty("token").GetString()!.Split('.')[1]));
        return Access(claims.RootElement);
    }

    private static List<(string Name, string Actions)> Access(JsonElement claims) =>
        claims.GetProperty("access").EnumerateArray()
            .Select(a =>
            {
                Assert.Equal("repository", a.GetProperty("type").GetString());
                return (a.GetProperty("name").GetString()!, string.Join(',', a.GetProperty("actions").EnumerateArray().Select(x => x.GetString())));
            })
            .ToList();
}
