using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using CriO.Image.Policy;
using CriO.Image.Registry;

namespace CriO.Image.Pull;

/// <summary>
/// The image library's meter, with CRI-O's metric names. The names are what Prometheus shows
/// once its exporter has added <c>_total</c> to counters, so no instrument here carries a unit
/// (the exporter would append that too). Nothing is recorded unless a listener (the daemon's
/// metrics provider, built only when metrics are on) has subscribed.
/// </summary>
public static class PullMetrics
{
    public const string MeterName = "CriO.Image";

    // Layer sizes from 1 KiB to 4 GiB in powers of four: tiny config-only layers to base images.
    private static readonly long[] LayerSizeBuckets = [.. Enumerable.Range(0, 12).Select(i => 1024L << (2 * i))];

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> BytesPulled = Meter.CreateCounter<long>(
        "crio_image_pulls_bytes", description: "Bytes transferred by image pulls, by media type of the blob.");

    private static readonly Counter<long> Succeeded = Meter.CreateCounter<long>(
        "crio_image_pulls_success", description: "Successful image pulls.");

    private static readonly Counter<long> Failed = Meter.CreateCounter<long>(
        "crio_image_pulls_failure", description: "Failed image pulls, by kind of error.");

    private static readonly Counter<long> LayersReused = Meter.CreateCounter<long>(
        "crio_image_layer_reuse", description: "Layers a pull found in the store already and did not download.");

    private static readonly Histogram<long> LayerSize = Meter.CreateHistogram<long>(
        "crio_image_pulls_layer_size", unit: null, description: "Compressed size of the layers pulled, in bytes.",
        tags: null, advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = LayerSizeBuckets });

    /// <summary>A blob (layer or config) downloaded and verified.</summary>
    public static void BlobPulled(string mediaType, long bytes)
    {
        BytesPulled.Add(bytes, new KeyValuePair<string, object?>("mediatype", mediaType));
    }

    /// <summary>A layer downloaded, verified and applied.</summary>
    public static void LayerPulled(string mediaType, long bytes)
    {
        BlobPulled(mediaType, bytes);
        LayerSize.Record(bytes);
    }

    public static void LayerReused() => LayersReused.Add(1);

    public static void PullSucceeded() => Succeeded.Add(1);

    public static void PullFailed(Exception error) => Failed.Add(1, new KeyValuePair<string, object?>("error", ErrorKind(error)));

    /// <summary>The <c>error</c> label: a few stable kinds, as CRI-O's, never a message (unbounded).</summary>
    public static string ErrorKind(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PullFailedException { NotFound: true }:
                case RegistryException { IsNotFound: true }:
                    return "NOT_FOUND";
                case RegistryException { Status: HttpStatusCode.TooManyRequests }:
                    return "TOO_MANY_REQUESTS";
                case RegistryException { IsUnauthorized: true }:
                    return "UNAUTHORIZED";
                case PolicyRejectedException:
                    return "POLICY_REJECTED";
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return "CONNECTION_REFUSED";
                case TimeoutException:
                    return "CONNECTION_TIMEOUT";
            }
        }

        return "UNKNOWN";
    }
}
