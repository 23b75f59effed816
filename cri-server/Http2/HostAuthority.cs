using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace CriO.Server.Http2;

/// <summary>
/// Whether a <c>:authority</c> or <c>host</c> value is a host with an optional port that
/// Kestrel will accept.
/// </summary>
/// <remarks>
/// The grammar is RFC 3986 §3.2.2–3.2.3 (<c>host [ ":" port ]</c>, no userinfo), narrowed to
/// what Kestrel lets through: it refuses the sub-delims <c>* + , ; =</c> and percent-encoding
/// in a reg-name, as Http.Sys does, and knows no IPvFuture. Those narrowings matter: gRPC C-core
/// clients from 1.57 send the socket path percent-encoded (<c>%2Frun%2Fcrio.sock</c>), which
/// RFC 3986 allows and Kestrel refuses. Anything refused here is replaced, which costs nothing
/// because the daemon does not route on the host.
/// </remarks>
internal static class HostAuthority
{
    // unreserved (ALPHA DIGIT - . _ ~) and the sub-delims Kestrel accepts (! $ & ' ( )).
    private static readonly SearchValues<byte> s_regNameBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()"u8);

    private static readonly SearchValues<byte> s_ipv6Bytes =
        SearchValues.Create("0123456789ABCDEFabcdef:."u8);

    public static bool IsValid(ReadOnlySpan<byte> authority)
    {
        ReadOnlySpan<byte> host;
        ReadOnlySpan<byte> rest;
        if (!authority.IsEmpty && authority[0] == (byte)'[')
        {
            int close = authority.IndexOf((byte)']');
            if (close < 0 || !IsIPv6Address(authority[1..close]))
            {
                return false;
            }

            host = authority[..(close + 1)];
            rest = authority[(close + 1)..];
        }
        else
        {
            int colon = authority.IndexOf((byte)':');
            host = colon < 0 ? authority : authority[..colon];
            rest = colon < 0 ? [] : authority[colon..];

            // An IPv4 address is also a reg-name, so one check covers both; empty is refused
            // although the RFC allows an empty reg-name, because Kestrel needs a host to use.
            if (host.IsEmpty || host.ContainsAnyExcept(s_regNameBytes))
            {
                return false;
            }
        }

        // port = *DIGIT after the colon.
        return rest.IsEmpty || (rest[0] == (byte)':' && !rest[1..].ContainsAnyExceptInRange((byte)'0', (byte)'9'));
    }

    private static bool IsIPv6Address(ReadOnlySpan<byte> text) =>
        !text.IsEmpty
        && !text.ContainsAnyExcept(s_ipv6Bytes)
        && IPAddress.TryParse(text, out IPAddress? address)
        && address.AddressFamily == AddressFamily.InterNetworkV6;
}
