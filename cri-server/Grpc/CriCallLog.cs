using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CriO.Server.Grpc;

/// <summary>Log messages of the CRI call interceptor, with stable event ids.</summary>
internal static partial class CriCallLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "{Method}: request")]
    public static partial void Started(ILogger logger, string method);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "{Method}: done in {ElapsedMs:F1} ms")]
    public static partial void Succeeded(ILogger logger, string method, double elapsedMs);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "{Method}: {Code}: {Detail}")]
    public static partial void Refused(ILogger logger, string method, StatusCode code, string detail);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "{Method}: internal error")]
    public static partial void Failed(ILogger logger, string method, Exception exception);
}
