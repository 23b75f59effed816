using System.Globalization;

namespace CriO.Server.Containers;

/// <summary>An image's StopSignal ("SIGTERM", "TERM", "15", "SIGRTMIN+3") as a number; SIGTERM when unset or unknown.</summary>
public static class StopSignals
{
    public const int Term = 15;
    public const int Kill = 9;

    private static readonly Dictionary<string, int> Numbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6, ["BUS"] = 7, ["FPE"] = 8,
        ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14, ["TERM"] = 15, ["STKFLT"] = 16,
        ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21, ["TTOU"] = 22, ["URG"] = 23, ["XCPU"] = 24,
        ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28, ["IO"] = 29, ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31,
    };

    // Linux's SIGRTMIN as glibc reports it (two real-time signals are kept by glibc itself).
    private const int RealTimeMin = 34;
    private const int RealTimeMax = 64;

    public static int Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Term;
        }

        var name = text.Trim();
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number is > 0 and <= RealTimeMax ? number : Term;
        }

        name = name.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? name[3..] : name;
        if (Numbers.TryGetValue(name, out number))
        {
            return number;
        }

        if (name.StartsWith("RTMIN", StringComparison.OrdinalIgnoreCase))
        {
            var offset = name.Length == 5 ? 0 : int.TryParse(name[5..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var o) ? o : -1;
            return offset >= 0 && RealTimeMin + offset <= RealTimeMax ? RealTimeMin + offset : Term;
        }

        return Term;
    }
}
