using System.CommandLine;
using CriO.Cri;
using CriO.Server.Clients;
using CriO.Server.Config;
using Grpc.Core;

namespace CriO.Server.Play;

/// <summary>
/// `crio play POD.yaml` runs a Pod manifest on the running daemon and reports how it ended;
/// `crio play --down POD.yaml` removes it. The daemon's socket and cgroup driver come from the
/// same configuration the daemon reads, so `crio play` with no flags finds the local daemon.
/// Exit code 0 when the pod reached Running or Succeeded, 1 otherwise.
/// </summary>
public static class PlayCommand
{
    /// <summary>The pod log root the kubelet uses.</summary>
    public const string DefaultLogRoot = "/var/log/pods";

    public static Command Create(Func<ParseResult, ConfigSources> sources)
    {
        var manifestFile = new Argument<string>("POD.yaml") { Description = "A v1 Pod manifest." };
        var down = new Option<bool>("--down") { Description = "Stop and remove the pod the manifest made, with its emptyDir and log folders." };
        var socket = new Option<string>("--socket") { Description = "The daemon's CRI socket (default: the configuration's listen)." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the containers to finish (restartPolicy Never or OnFailure).", DefaultValueFactory = _ => 120 };
        var cgroupParent = new Option<string>("--cgroup-parent") { Description = "cgroup_parent of the pod (default: /crio-play/pod<uid> for cgroupfs, system.slice for systemd)." };
        var logRoot = new Option<string>("--log-root") { Description = $"Parent of the pod's log folder (default {DefaultLogRoot})." };
        var play = new Command("play", "Run a Kubernetes Pod manifest on the running daemon through the CRI, print its status and logs; --down removes it.")
        {
            manifestFile, down, socket, timeout, cgroupParent, logRoot,
        };
        play.SetAction(async (parsed, cancellationToken) =>
        {
            var daemon = parsed.GetValue(socket) ?? "the configured socket";
            try
            {
                var config = ConfigLoader.Load(sources(parsed)).Config;
                var manifest = PodManifest.Load(parsed.GetValue(manifestFile)!);
                daemon = parsed.GetValue(socket) ?? config.Api.Listen;
                var settings = new PlaySettings
                {
                    Socket = daemon,
                    CgroupParent = parsed.GetValue(cgroupParent) ?? DefaultCgroupParent(config.Runtime.CgroupManager, manifest.Uid),
                    LogRoot = parsed.GetValue(logRoot) ?? DefaultLogRoot,
                    StateRoot = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(config.Root)) ?? "/", "crio-play"),
                    Timeout = TimeSpan.FromSeconds(parsed.GetValue(timeout)),
                };
                using var channel = CriSocketChannel.Create(settings.Socket);
                var runtime = new RuntimeService.RuntimeServiceClient(channel);
                if (parsed.GetValue(down))
                {
                    await new PodTeardown(runtime, settings, Console.Out).RunAsync(manifest, cancellationToken).ConfigureAwait(false);
                    return 0;
                }

                var phase = await new PodPlayer(runtime, new ImageService.ImageServiceClient(channel), settings, Console.Out).RunAsync(manifest, cancellationToken).ConfigureAwait(false);
                if (!PodPhase.IsSuccess(phase))
                {
                    await Console.Error.WriteLineAsync($"crio play: pod {manifest.Namespace}/{manifest.Name} is {phase}").ConfigureAwait(false);
                    return 1;
                }

                return 0;
            }
            catch (Exception e) when (e is ConfigException or ManifestException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"crio play: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                await Console.Error.WriteLineAsync($"crio play: cannot reach the daemon at {daemon}: {e.Status.Detail}").ConfigureAwait(false);
                return 1;
            }
            catch (RpcException e)
            {
                await Console.Error.WriteLineAsync($"crio play: the daemon answered {e.StatusCode}: {e.Status.Detail}").ConfigureAwait(false);
                return 1;
            }
        });
        return play;
    }

    // The kubelet nests pods under its kubepods tree; crio play keeps its pods apart from the
    // kubelet's in a tree of its own (cgroupfs) or in system.slice (systemd: a slice must be named).
    public static string DefaultCgroupParent(string cgroupManager, string uid) =>
        cgroupManager == CgroupManagers.Systemd ? "system.slice" : $"/crio-play/pod{uid}";
}
