using System.Globalization;
using CriO.Cri;
using CriO.Oci.Spec;
using CriO.Server.Errors;

namespace CriO.Server.Containers.Spec;

public static partial class ContainerSpecBuilder
{
    private sealed record PasswdEntry(string Name, uint Uid, uint Gid);

    /// <summary>
    /// The process's user: run_as_user / run_as_username / run_as_group from the security context,
    /// else the image's USER ("name", "uid", "name:group", "uid:gid"), looked up in the ROOTFS's
    /// /etc/passwd and /etc/group (never the host's). Supplemental groups: the primary group, the
    /// user's groups in /etc/group (not under the Strict policy) and the kubelet's
    /// supplemental_groups.
    /// </summary>
    public static UserSpec ResolveUser(string rootfs, LinuxContainerSecurityContext security, string? imageUser)
    {
        ArgumentNullException.ThrowIfNull(rootfs);
        ArgumentNullException.ThrowIfNull(security);
        var passwd = ReadPasswd(rootfs);
        var groups = new Lazy<List<(string Name, uint Gid, string[] Members)>>(() => ReadGroups(rootfs));

        PasswdEntry? entry;
        uint uid;
        uint gid;
        if (security.RunAsUser is not null)
        {
            uid = ToId(security.RunAsUser.Value, "run_as_user");
            entry = passwd.FirstOrDefault(p => p.Uid == uid);
            gid = entry?.Gid ?? 0;
        }
        else if (security.RunAsUsername.Length > 0)
        {
            entry = passwd.FirstOrDefault(p => p.Name == security.RunAsUsername)
                ?? throw new InvalidArgumentException($"run_as_username: user \"{security.RunAsUsername}\" is not in the image's /etc/passwd");
            (uid, gid) = (entry.Uid, entry.Gid);
        }
        else
        {
            var text = imageUser ?? "";
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            var userPart = colon < 0 ? text : text[..colon];
            var groupPart = colon < 0 ? "" : text[(colon + 1)..];
            if (userPart.Length == 0)
            {
                userPart = "0";
            }

            if (uint.TryParse(userPart, NumberStyles.None, CultureInfo.InvariantCulture, out uid))
            {
                entry = passwd.FirstOrDefault(p => p.Uid == uid);
                gid = entry?.Gid ?? 0;
            }
            else
            {
                entry = passwd.FirstOrDefault(p => p.Name == userPart)
                    ?? throw new InvalidArgumentException($"image USER \"{text}\": user \"{userPart}\" is not in the image's /etc/passwd");
                (uid, gid) = (entry.Uid, entry.Gid);
            }

            if (groupPart.Length > 0)
            {
                if (!uint.TryParse(groupPart, NumberStyles.None, CultureInfo.InvariantCulture, out gid))
                {
                    gid = groups.Value.FirstOrDefault(g => g.Name == groupPart) is { Name: not null } g
                        ? g.Gid
                        : throw new InvalidArgumentException($"image USER \"{text}\": group \"{groupPart}\" is not in the image's /etc/group");
                }
            }
        }

        if (security.RunAsGroup is not null)
        {
            gid = ToId(security.RunAsGroup.Value, "run_as_group");
        }

        var additional = new List<uint> { gid };
        if (security.SupplementalGroupsPolicy != SupplementalGroupsPolicy.Strict && entry is not null)
        {
            additional.AddRange(groups.Value.Where(g => g.Members.Contains(entry.Name, StringComparer.Ordinal)).Select(g => g.Gid));
        }

        additional.AddRange(security.SupplementalGroups.Select(g => ToId(g, "supplemental_groups")));
        return new UserSpec { Uid = uid, Gid = gid, AdditionalGids = [.. additional.Distinct()] };
    }

    private static uint ToId(long value, string field) =>
        value is >= 0 and <= uint.MaxValue - 1
            ? (uint)value
            : throw new InvalidArgumentException($"{field}: {value} is not a valid id");

    private static List<PasswdEntry> ReadPasswd(string rootfs)
    {
        var result = new List<PasswdEntry>();
        foreach (var line in RootfsFiles.ReadLines(rootfs, "/etc/passwd") ?? [])
        {
            // name:password:uid:gid:gecos:home:shell
            var fields = line.Split(':');
            if (fields.Length >= 4 && fields[0].Length > 0 && !fields[0].StartsWith('#')
                && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
                && uint.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
            {
                result.Add(new PasswdEntry(fields[0], uid, gid));
            }
        }

        return result;
    }

    private static List<(string Name, uint Gid, string[] Members)> ReadGroups(string rootfs)
    {
        var result = new List<(string, uint, string[])>();
        foreach (var line in RootfsFiles.ReadLines(rootfs, "/etc/group") ?? [])
        {
            // name:password:gid:member,member
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0].Length > 0 && !fields[0].StartsWith('#')
                && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
            {
                var members = fields.Length >= 4 ? fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
                result.Add((fields[0], gid, members));
            }
        }

        return result;
    }
}
