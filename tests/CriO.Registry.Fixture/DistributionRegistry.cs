using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CriO.Registry.Fixture;

/// <summary>
/// Debian's <c>docker-registry</c> (the CNCF distribution server, 2.8) serving on a free
/// 127.0.0.1 port, with its storage, config and certificates in a temporary folder: plain
/// HTTP or TLS (a fresh test CA), and no auth, htpasswd Basic auth or Bearer tokens from a
/// <see cref="TokenServer"/>. Disposing kills the registry and removes the folder.
/// </summary>
public sealed class DistributionRegistry : IAsyncDisposable
{
    public const string ProgramName = "docker-registry";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private const int StartAttempts = 5;
    private const int MaxLogChars = 256 * 1024;

    private readonly string _root;
    private readonly StringBuilder _log = new();
    private TestCertificateAuthority? _ca;
    private TokenServer? _ownedTokenServer;
    private Process? _process;

    private DistributionRegistry(DistributionRegistryOptions options, string root)
    {
        Options = options;
        _root = root;
        StorageDirectory = Path.Combine(root, "storage");
        Directory.CreateDirectory(StorageDirectory);
    }

    public DistributionRegistryOptions Options { get; }

    public int Port { get; private set; }

    /// <summary>"127.0.0.1:PORT": the registry part of an image reference.</summary>
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>http://127.0.0.1:PORT/ or https://127.0.0.1:PORT/.</summary>
    public Uri BaseUri => new($"{(Tls ? "https" : "http")}://{Host}/");

    public bool Tls => Options.Tls;

    public RegistryAuthMode Auth => Options.Auth;

    /// <summary>The account that may pull and push; null when the registry has no auth.</summary>
    public string? Username => Auth == RegistryAuthMode.None ? null : Options.Username;

    public string? Password => Auth == RegistryAuthMode.None ? null : Options.Password;

    /// <summary>The test CA's certificate (PEM) that clients must trust; null without TLS.</summary>
    public string? CaCertificatePath => _ca?.CaCertificatePath;

    /// <summary>The token server the registry trusts; null unless <see cref="Auth"/> is Token.</summary>
    public TokenServer? TokenServer { get; private set; }

    /// <summary>The registry's <c>storage.filesystem.rootdirectory</c>.</summary>
    public string StorageDirectory { get; }

    public string ConfigPath => Path.Combine(_root, "config.yml");

    /// <summary>What the registry wrote to stdout and stderr (the start-up attempt that succeeded; bounded).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private string ClientCertDirectory => Path.Combine(_root, "client-certs");

    /// <summary>Starts a registry and waits (bounded) until it answers <c>GET /v2/</c>.</summary>
    public static async Task<DistributionRegistry> StartAsync(DistributionRegistryOptions? options = null, CancellationToken cancellationToken = default)
    {
        var registry = new DistributionRegistry(options ?? new DistributionRegistryOptions(), Directory.CreateTempSubdirectory("crio-registry-").FullName);
        try
        {
            await registry.PrepareAsync(cancellationToken).ConfigureAwait(false);
            await registry.LaunchUntilReadyAsync(cancellationToken).ConfigureAwait(false);
            return registry;
        }
        catch
        {
            await registry.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Makes <c>ROOT/HOST:PORT/ca.crt</c>, the layout of <c>/etc/containers/certs.d</c> (and
    /// Docker's certs.d), for a client given <paramref name="root"/> as its certs.d folder.
    /// Returns the <c>HOST:PORT</c> folder.
    /// </summary>
    public string CreateCertsDirectory(string root)
    {
        var ca = CaCertificatePath ?? throw new InvalidOperationException("the registry does not serve TLS");
        var directory = Path.Combine(root, Host);
        Directory.CreateDirectory(directory);
        File.Copy(ca, Path.Combine(directory, "ca.crt"), overwrite: true);
        return directory;
    }

    /// <summary>
    /// The skopeo flags to reach this registry: TLS (<c>--PREFIXtls-verify</c>, and with TLS
    /// <c>--PREFIXcert-dir</c> holding only the CA) and credentials (<c>--PREFIXcreds</c>).
    /// <paramref name="prefix"/> is "" for inspect, "src-" or "dest-" for copy.
    /// </summary>
    public IReadOnlyList<string> SkopeoOptions(string prefix = "")
    {
        var options = new List<string>();
        if (Tls)
        {
            options.Add($"--{prefix}tls-verify=true");
            options.Add($"--{prefix}cert-dir={ClientCertDirectory}");
        }
        else
        {
            options.Add($"--{prefix}tls-verify=false");
        }

        if (Auth != RegistryAuthMode.None)
        {
            options.Add($"--{prefix}creds={Username}:{Password}");
        }

        return options;
    }

    /// <summary>An HttpClient with <see cref="BaseUri"/> as base address that trusts the test CA (no credentials).</summary>
    public HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler();
        if (_ca is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.Add(_ca.LoadCaCertificate());
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }

        return new HttpClient(handler) { BaseAddress = BaseUri };
    }

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync().ConfigureAwait(false);
        if (_ownedTokenServer is not null)
        {
            await _ownedTokenServer.DisposeAsync().ConfigureAwait(false);
        }

        TempDirectory.Delete(_root);
    }

    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (Tls)
        {
            _ca = await TestCertificateAuthority.CreateAsync(Path.Combine(_root, "tls"), cancellationToken).ConfigureAwait(false);

            // skopeo's cert-dir reads *.crt as CAs and wants a .cert for every .key: keep only the CA there.
            Directory.CreateDirectory(ClientCertDirectory);
            File.Copy(_ca.CaCertificatePath, Path.Combine(ClientCertDirectory, "ca.crt"));
        }

        switch (Auth)
        {
            case RegistryAuthMode.Htpasswd:
                // bcrypt is the only hash the distribution server accepts.
                var line = await Tool.RunAsync("htpasswd", ["-Bbn", Options.Username, Options.Password]).ConfigureAwait(false);
                await File.WriteAllTextAsync(Path.Combine(_root, "htpasswd"), line.Trim() + "\n", cancellationToken).ConfigureAwait(false);
                break;
            case RegistryAuthMode.Token:
                TokenServer = Options.TokenServer;
                if (TokenServer is null)
                {
                    _ownedTokenServer = await TokenServer.StartAsync(
                        new TokenServerOptions { Users = [new TokenUser(Options.Username, Options.Password)] }, cancellationToken).ConfigureAwait(false);
                    TokenServer = _ownedTokenServer;
                }

                break;
            case RegistryAuthMode.None:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(Options.Auth), Auth, "unknown auth mode");
        }
    }

    /// <summary>
    /// Picks a free port (bind 0, release), starts the registry on it and polls <c>/v2/</c>; when
    /// another process took the port in between, tries again with a new one, a bounded number of times.
    /// </summary>
    private async Task LaunchUntilReadyAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            Port = PickFreePort();
            await File.WriteAllTextAsync(ConfigPath, ConfigYaml(), cancellationToken).ConfigureAwait(false);
            lock (_log)
            {
                _log.Clear();
            }

            Launch();
            if (await WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            await StopProcessAsync().ConfigureAwait(false);
        }

        throw new InvalidOperationException($"{ProgramName} could not bind a free port in {StartAttempts} attempts; last log:\n{Log}");
    }

    private void Launch()
    {
        var start = new ProcessStartInfo(ProgramName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _root,
        };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(ConfigPath);

        // REGISTRY_* variables override the config file: none from the host may leak in.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("REGISTRY_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException($"{ProgramName} did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{ProgramName} could not be started; install the Debian package docker-registry (scripts/test.sh does): {e.Message}", e);
        }

        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>True once <c>GET /v2/</c> answers; false when the port was taken; throws on any other failure.</summary>
    private async Task<bool> WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var process = _process!;
        using var client = CreateHttpClient();
        client.Timeout = TimeSpan.FromSeconds(2);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (process.HasExited)
            {
                // Drain the redirected streams before reading the log.
                process.WaitForExit();
                if (Log.Contains("address already in use", StringComparison.Ordinal))
                {
                    return false;
                }

                throw new InvalidOperationException($"{ProgramName} exited with code {process.ExitCode} before serving; log:\n{Log}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(BaseUri, "v2/"), cancellationToken).ConfigureAwait(false);

                // The API version header tells our registry from anything else that grabbed the port.
                var isRegistry = response.Headers.TryGetValues("Docker-Distribution-Api-Version", out var versions) && versions.Contains("registry/2.0");
                var up = response.StatusCode == HttpStatusCode.OK
                    || (Auth != RegistryAuthMode.None && response.StatusCode == HttpStatusCode.Unauthorized);
                if (isRegistry && up && !process.HasExited)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // This probe timed out; try again.
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"{ProgramName} did not answer GET /v2/ within {ReadyTimeout.TotalSeconds} s; log:\n{Log}");
    }

    private async Task StopProcessAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            using var deadline = new CancellationTokenSource(StopTimeout);
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Killed but not reaped within the bound; nothing more a test can do.
        }
        finally
        {
            process.Dispose();
        }
    }

    private string ConfigYaml()
    {
        var yaml = new StringBuilder($"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: "{StorageDirectory}"
              delete:
                enabled: true
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: "{Host}"
              secret: "{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))}"

            """);
        if (_ca is not null)
        {
            yaml.Append($"""
                  tls:
                    certificate: "{_ca.ServerCertificatePath}"
                    key: "{_ca.ServerKeyPath}"

                """);
        }

        if (Auth == RegistryAuthMode.Htpasswd)
        {
            yaml.Append($"""
                auth:
                  htpasswd:
                    realm: crio-test-registry
                    path: "{Path.Combine(_root, "htpasswd")}"

                """);
        }
        else if (TokenServer is { } tokens)
        {
            yaml.Append($"""
                auth:
                  token:
                    realm: "{tokens.Realm}"
                    service: "{tokens.Service}"
                    issuer: "{tokens.Issuer}"
                    rootcertbundle: "{tokens.SigningCertificatePath}"

                """);
        }

        return yaml.ToString();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Length < MaxLogChars)
            {
                _log.AppendLine(line);
            }
        }
    }

    private static int PickFreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
