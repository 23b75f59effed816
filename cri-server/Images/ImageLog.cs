using CriO.Image.Pull;
using Microsoft.Extensions.Logging;

namespace CriO.Server.Images;

/// <summary>Log messages of image pulls, with stable event ids.</summary>
internal static partial class ImageLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "pulling {Image}: {ReceivedMb:F1} of {TotalMb:F1} MB, {RateMbPerSecond:F1} MB/s, layers {Layers}")]
    public static partial void Progress(ILogger logger, string image, double receivedMb, double totalMb, double rateMbPerSecond, string layers);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "pulled {Image}: {ReceivedMb:F1} MB at {RateMbPerSecond:F1} MB/s")]
    public static partial void Pulled(ILogger logger, string image, double receivedMb, double rateMbPerSecond);

    public static void Report(ILogger logger, PullProgress progress)
    {
        const double Mb = 1024 * 1024;
        if (progress.Done)
        {
            Pulled(logger, progress.Image, progress.Received / Mb, progress.BytesPerSecond / Mb);
            return;
        }

        var layers = string.Join(", ", progress.Layers.Select(l => $"{l.Digest[7..19]} {l.Received / Mb:F1}/{l.Size / Mb:F1}"));
        Progress(logger, progress.Image, progress.Received / Mb, progress.Total / Mb, progress.BytesPerSecond / Mb, layers);
    }
}
