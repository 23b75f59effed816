namespace CriO.Server.Runtime;

/// <summary>The step a creation is at, for the logs of one that takes long.</summary>
public sealed class CreationProgress
{
    private volatile string _stage = "starting";

    public string Stage
    {
        get => _stage;
        set => _stage = value;
    }
}
