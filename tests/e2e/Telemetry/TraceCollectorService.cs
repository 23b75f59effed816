using CriO.E2E.Tests.Telemetry.Otlp;
using Grpc.Core;

namespace CriO.E2E.Tests.Telemetry;

/// <summary>TraceService/Export: files each exported span, with its trace source, under <see cref="ReceivedSpans"/>.</summary>
internal sealed class TraceCollectorService(ReceivedSpans spans) : TraceService.TraceServiceBase
{
    public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
    {
        foreach (var scope in request.ResourceSpans.SelectMany(r => r.ScopeSpans))
        {
            foreach (var span in scope.Spans)
            {
                spans.Add(new ReceivedSpan(scope.Scope?.Name ?? "", span.Name, Convert.ToHexStringLower(span.TraceId.Span),
                    Convert.ToHexStringLower(span.SpanId.Span), Convert.ToHexStringLower(span.ParentSpanId.Span)));
            }
        }

        return Task.FromResult(new ExportTraceServiceResponse());
    }
}
