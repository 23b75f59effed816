using System.Diagnostics;
using CriO.Server.Grpc;
using Grpc.Core;

namespace CriO.Server.Tests.Grpc;

/// <summary>Where a CRI call's span hangs: under the caller's propagated span, else nowhere (a root).</summary>
public sealed class CriActivitySourceTests
{
    [Fact]
    public void A_call_without_trace_context_is_a_root_span_even_under_ASP_NET_Cores_request_activity()
    {
        using var listener = ListenToCalls();
        using var request = new Activity("Microsoft.AspNetCore.Hosting.HttpRequestIn").Start();

        using var call = CriActivitySource.StartCall("Version", []);

        Assert.NotNull(call);
        Assert.Null(call.Parent);
        Assert.Equal(default, call.ParentSpanId);
        Assert.NotEqual(request.TraceId, call.TraceId);
    }

    [Fact]
    public void A_call_with_a_traceparent_header_continues_the_callers_trace()
    {
        using var listener = ListenToCalls();
        const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        const string SpanId = "00f067aa0ba902b7";

        using var call = CriActivitySource.StartCall("RunPodSandbox", new Metadata { { "traceparent", $"00-{TraceId}-{SpanId}-01" } });

        Assert.NotNull(call);
        Assert.Equal(TraceId, call.TraceId.ToHexString());
        Assert.Equal(SpanId, call.ParentSpanId.ToHexString());
        Assert.True(call.HasRemoteParent);
    }

    private static ActivityListener ListenToCalls()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CriActivitySource.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
