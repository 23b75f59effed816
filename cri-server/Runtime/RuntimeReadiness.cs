using CriO.Server.Config;

namespace CriO.Server.Runtime;

/// <summary>
/// Whether containers can run now: the default runtime handler's OCI runtime binary is there.
/// This is what the kubelet's RuntimeReady condition reports.
/// </summary>
public sealed record RuntimeReadiness(bool Ready, string Reason, string Message)
{
    public const string NotReadyReason = "RuntimeBinaryNotFound";

    public static RuntimeReadiness Check(CrioConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var name = config.Runtime.DefaultRuntime;
        var handler = config.Runtime.Runtimes[name];
        var binary = RuntimeBinary.Resolve(name, handler);
        return binary is null
            ? new RuntimeReadiness(false, NotReadyReason, $"the OCI runtime of handler \"{name}\" ({(handler.RuntimePath.Length > 0 ? handler.RuntimePath : name + " on PATH")}) is not installed")
            : new RuntimeReadiness(true, "", "");
    }
}
