using System.Diagnostics;
using System.Text;
using CriO.E2E.Tests.Fixtures;

namespace CriO.E2E.Tests.Streaming.Kubectl;

/// <summary>
/// A kubectl binary and the streaming transport it is made to use, run against a
/// <see cref="KubeApiStandIn"/> through a kubeconfig of its own: Debian's kubernetes-client
/// (kubectl 1.20, client-go's SPDY executor and port-forward dialer) and a client-go of 1.31 or
/// newer (the WebSocket executor, remotecommand v5, and port-forward tunnelled as SPDY in a
/// WebSocket), as the machine image ships it with google-cloud-cli.
/// </summary>
internal sealed class KubectlClient
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private KubectlClient(string name, string path, string upgrade, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        Path = path;
        Upgrade = upgrade;
        Environment = environment;
    }

    public string Name { get; }

    public string Path { get; }

    /// <summary>The Upgrade header its streaming requests carry.</summary>
    public string Upgrade { get; }

    private IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Debian's kubernetes-client, which scripts/test.sh unpacks under out/ (a machine's own kubectl may own /usr/bin/kubectl).</summary>
    public static KubectlClient Spdy { get; } = new("kubectl 1.20 from Debian (SPDY)",
        System.Environment.GetEnvironmentVariable("CRIO_SPDY_KUBECTL") is { Length: > 0 } spdy
            ? spdy
            : System.IO.Path.Combine(RepositoryPaths.Root, "out", "debian", "kubernetes-client", "usr", "bin", "kubectl"),
        "SPDY/3.1", new Dictionary<string, string>());

    /// <summary>A kubectl of 1.31 or newer with its WebSocket transports asked for explicitly (they are its defaults).</summary>
    public static KubectlClient WebSocket { get; } = new("kubectl 1.31+ (WebSocket)", FindWebSocketKubectl(), "websocket",
        new Dictionary<string, string> { ["KUBECTL_REMOTE_COMMAND_WEBSOCKETS"] = "true", ["KUBECTL_PORT_FORWARD_WEBSOCKETS"] = "true" });

    public static TheoryData<string> All => [Spdy.Name, WebSocket.Name];

    public static KubectlClient Named(string name) => name == Spdy.Name ? Spdy : WebSocket;

    public override string ToString() => Name;

    /// <summary>Runs kubectl with <paramref name="arguments"/>, <paramref name="stdin"/> as its input; its exit code and output.</summary>
    public async Task<(int ExitCode, string Output, string Errors)> RunAsync(string kubeconfig, IEnumerable<string> arguments, string? stdin = null)
    {
        using var process = Process.Start(Start(kubeconfig, arguments, redirectStdin: true))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Name}: kubectl {string.Join(' ', arguments)} did not end within {CommandTimeout}: {await output}{await errors}");
        }

        return (process.ExitCode, await output, await errors);
    }

    /// <summary>Starts a long-running kubectl (port-forward) and waits for <paramref name="ready"/> on its output; killed on dispose.</summary>
    public async Task<RunningKubectl> StartAsync(string kubeconfig, IEnumerable<string> arguments, string ready)
    {
        var process = Process.Start(Start(kubeconfig, arguments, redirectStdin: false))!;
        var running = new RunningKubectl(process);
        try
        {
            await running.WaitForAsync(ready, TimeSpan.FromSeconds(30));
            return running;
        }
        catch
        {
            running.Dispose();
            throw;
        }
    }

    /// <summary>The start of a kubectl process: its own kubeconfig, a home of its own (discovery cache) beside it, and the transport's switches.</summary>
    public ProcessStartInfo Start(string kubeconfig, IEnumerable<string> arguments, bool redirectStdin, string? program = null, IEnumerable<string>? before = null)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"{Name}: {Path} not found (scripts/test.sh unpacks Debian's kubernetes-client there; set CRIO_SPDY_KUBECTL / CRIO_WEBSOCKET_KUBECTL to use another)");
        }

        var start = new ProcessStartInfo(program ?? Path)
        {
            RedirectStandardInput = redirectStdin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (before ?? []).Concat(program is null ? [] : [Path]).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["KUBECONFIG"] = kubeconfig;
        start.Environment["HOME"] = System.IO.Path.GetDirectoryName(kubeconfig)!;
        foreach (var (name, value) in Environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    /// <summary>Writes a kubeconfig for <paramref name="server"/> into <paramref name="folder"/>; its path.</summary>
    public static string WriteKubeconfig(string folder, string server)
    {
        var path = System.IO.Path.Combine(folder, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: stand-in
              cluster:
                server: {server}
            users:
            - name: tester
              user: {"{}"}
            contexts:
            - name: stand-in
              context:
                cluster: stand-in
                user: tester
                namespace: default
            current-context: stand-in
            """, Encoding.UTF8);
        return path;
    }

    private static string FindWebSocketKubectl()
    {
        if (System.Environment.GetEnvironmentVariable("CRIO_WEBSOCKET_KUBECTL") is { Length: > 0 } configured)
        {
            return configured;
        }

        // google-cloud-cli ships one kubectl per minor version beside its dispatcher.
        const string cloudSdk = "/usr/lib/google-cloud-sdk/bin";
        var newest = Directory.Exists(cloudSdk)
            ? Directory.GetFiles(cloudSdk, "kubectl.1.*")
                .Select(f => (File: f, Minor: int.TryParse(System.IO.Path.GetFileName(f)["kubectl.1.".Length..], out var minor) ? minor : 0))
                .Where(k => k.Minor >= 31)
                .OrderByDescending(k => k.Minor)
                .Select(k => k.File)
                .FirstOrDefault()
            : null;
        return newest ?? System.IO.Path.Combine(cloudSdk, "kubectl.1.31");
    }
}
