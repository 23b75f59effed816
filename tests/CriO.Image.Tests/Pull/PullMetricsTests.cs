using System.Net;
using System.Net.Sockets;
using CriO.Image.Pull;
using CriO.Image.Registry;

namespace CriO.Image.Tests.Pull;

/// <summary>The error label of crio_image_pulls_failure_total: a few stable kinds, found through wrapped causes.</summary>
public sealed class PullMetricsTests
{
    public static TheoryData<Exception, string> Errors() => new()
    {
        { new PullFailedException("docker.io/library/nope:1: not found", notFound: true), "NOT_FOUND" },
        { new PullFailedException("pulling failed", notFound: false, new RegistryException("slow down", HttpStatusCode.TooManyRequests)), "TOO_MANY_REQUESTS" },
        { new PullFailedException("pulling failed", notFound: false, new RegistryException("authentication required", HttpStatusCode.Unauthorized)), "UNAUTHORIZED" },
        { new PullFailedException("pulling failed", notFound: false, new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused))), "CONNECTION_REFUSED" },
        { new PullFailedException("pulling failed", notFound: false, new TimeoutException("no progress")), "CONNECTION_TIMEOUT" },
        { new InvalidDataException("bad manifest"), "UNKNOWN" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void A_failed_pull_is_labelled_by_its_first_known_cause(Exception error, string kind)
    {
        Assert.Equal(kind, PullMetrics.ErrorKind(error));
    }
}
