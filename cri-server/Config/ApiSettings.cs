namespace CriO.Server.Config;

/// <summary>[crio.api]: where the CRI socket and the streaming server listen.</summary>
public sealed class ApiSettings
{
    public string Listen { get; set; } = "/var/run/crio/crio.sock";
    public string StreamAddress { get; set; } = "127.0.0.1";
    // A string in CRI-O too: "0" asks for a free port.
    public string StreamPort { get; set; } = "0";
    public bool StreamEnableTls { get; set; }
    public string StreamIdleTimeout { get; set; } = "";
    public string StreamTlsCert { get; set; } = "";
    public string StreamTlsKey { get; set; } = "";
    public string StreamTlsCa { get; set; } = "";
    // 80 MiB, as CRI-O: large ListContainers answers on busy nodes exceed gRPC's 4 MiB default.
    public long GrpcMaxSendMsgSize { get; set; } = 80 * 1024 * 1024;
    public long GrpcMaxRecvMsgSize { get; set; } = 80 * 1024 * 1024;
}
