using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace CriO.Server.Http2;

/// <summary>
/// Kestrel connection middleware that runs the client's bytes through
/// <see cref="Http2AuthorityRewriter"/> before Kestrel's HTTP/2 parser sees them, so Go gRPC
/// clients that send the socket path as <c>:authority</c> are served instead of reset.
/// </summary>
/// <remarks>
/// Hook it into a unix socket listener with
/// <see cref="AuthorityRewritingListenOptionsExtensions.UseAuthorityRewriting"/>. Responses are
/// not touched: Kestrel writes straight to the original transport output.
/// </remarks>
internal sealed class AuthorityRewritingConnectionMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly int _maxDecoderTableSize;

    /// <param name="next">The rest of the connection pipeline, Kestrel's HTTP handling last.</param>
    /// <param name="maxDecoderTableSize">Kestrel's Http2 HeaderTableSize, which it advertises to clients.</param>
    public AuthorityRewritingConnectionMiddleware(ConnectionDelegate next, int maxDecoderTableSize)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecoderTableSize);
        _next = next;
        _maxDecoderTableSize = maxDecoderTableSize;
    }

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);

        IDuplexPipe original = connection.Transport;
        var rewritten = new Pipe(new PipeOptions(useSynchronizationContext: false));
        using var stop = new CancellationTokenSource();

        // The rewriter completes rewritten.Writer when the client closes its side, which Kestrel
        // reads as end of input, or with an exception on a protocol error, which aborts the connection.
        Task rewriting = Http2AuthorityRewriter.RunAsync(original.Input, rewritten.Writer, _maxDecoderTableSize, stop.Token);
        connection.Transport = new DuplexPipe(rewritten.Reader, original.Output);
        try
        {
            await _next(connection).ConfigureAwait(false);
        }
        finally
        {
            connection.Transport = original;

            // Kestrel is done with the connection: unblock a rewriter waiting on a full pipe,
            // stop one waiting for client bytes, and wait so nothing outlives the connection.
            // RunAsync never faults and completes original.Input itself.
            await rewritten.Reader.CompleteAsync().ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await rewriting.ConfigureAwait(false);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
