using System.Diagnostics;
using Grpc.Core;

namespace CriO.Server.Grpc;

/// <summary>The daemon's trace source: one span per RPC, started by the call interceptor.</summary>
public static class CriActivitySource
{
    public const string Name = "CriO.Server";

    public static ActivitySource Instance { get; } = new(Name);

    /// <summary>
    /// The span of one CRI call. Its parent is the caller's span when the call carries W3C trace
    /// context (the kubelet sends it with its own tracing on), else none: the RPC is the root,
    /// as in CRI-O. ASP.NET Core's per-request activity is never the parent: it is made without
    /// a sampling decision, so a parent-based sampler would drop every call under it.
    /// </summary>
    public static Activity? StartCall(string method, Metadata requestHeaders)
    {
        ArgumentNullException.ThrowIfNull(requestHeaders);
        if (!Instance.HasListeners())
        {
            return null;
        }

        ActivityContext.TryParse(requestHeaders.GetValue("traceparent"), requestHeaders.GetValue("tracestate"), isRemote: true, out var caller);
        var ambient = Activity.Current;
        Activity.Current = null;
        var activity = Instance.StartActivity(method, ActivityKind.Server, caller);
        if (activity is null)
        {
            Activity.Current = ambient;
        }

        return activity;
    }
}
