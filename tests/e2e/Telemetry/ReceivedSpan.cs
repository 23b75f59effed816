namespace CriO.E2E.Tests.Telemetry;

/// <summary>One exported span, ids in lower-case hex; a root span's parent id is empty.</summary>
internal sealed record ReceivedSpan(string Source, string Name, string TraceId, string SpanId, string ParentSpanId);
