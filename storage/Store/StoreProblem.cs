namespace CriO.Storage.Store;

/// <summary>One inconsistency a store check found, and whether the repair fixed it.</summary>
public sealed record StoreProblem(string Kind, string Id, string Description)
{
    public bool Repaired { get; set; }

    public override string ToString() => $"{Kind} {Id}: {Description}{(Repaired ? " (repaired)" : "")}";
}
