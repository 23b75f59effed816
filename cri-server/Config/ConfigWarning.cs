namespace CriO.Server.Config;

/// <summary>Something in a config file that is ignored (an unknown key or table): logged, never fatal.</summary>
public sealed record ConfigWarning(string Source, string Key, string Message)
{
    public override string ToString() => $"{Source}: {Key}: {Message}";
}
