using System.Security.Cryptography;
using CriO.Server.Errors;

namespace CriO.Server.Streaming;

/// <summary>
/// The requests behind streaming URLs: each token is random, used once, and expires after a
/// minute (the kubelet's own streaming server keeps them as long), so a URL that leaked or was
/// already used opens nothing. The number of pending requests is bounded.
/// </summary>
public sealed class StreamRequestCache(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private const int MaxPending = 1000;

    private readonly Dictionary<string, (StreamRequest Request, DateTimeOffset Expires)> _pending = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Keeps <paramref name="request"/> and returns its token (URL-safe).</summary>
    public string Insert(StreamRequest request)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', '-').Replace('/', '_');
        var now = time.GetUtcNow();
        lock (_lock)
        {
            foreach (var expired in _pending.Where(p => p.Value.Expires <= now).Select(p => p.Key).ToList())
            {
                _pending.Remove(expired);
            }

            if (_pending.Count >= MaxPending)
            {
                throw new UnavailableException($"{MaxPending} streaming requests are waiting for their clients already: try again");
            }

            _pending[token] = (request, now + Lifetime);
        }

        return token;
    }

    /// <summary>The request of <paramref name="token"/>, taken out; null when unknown, used or expired.</summary>
    public StreamRequest? Consume(string token)
    {
        lock (_lock)
        {
            if (!_pending.Remove(token, out var pending))
            {
                return null;
            }

            return pending.Expires > time.GetUtcNow() ? pending.Request : null;
        }
    }
}
