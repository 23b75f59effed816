namespace CriO.Image.Registries;

/// <summary>
/// One <c>[aliases]</c> entry. A null <see cref="Value"/> is an erased alias: a later file set
/// it to "" to cancel an earlier file's alias for that name.
/// </summary>
/// <param name="Name">The short name, as the user writes it without tag or digest ("busybox", "ubi8/ubi").</param>
/// <param name="Value">The normalised repository it stands for ("docker.io/library/busybox"), or null.</param>
/// <param name="Source">The file that set it.</param>
internal sealed record ShortNameAlias(string Name, string? Value, string Source);
