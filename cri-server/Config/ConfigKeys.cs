namespace CriO.Server.Config;

/// <summary>Short constructors for the schema's keys, so each key reads as one line.</summary>
public static class ConfigKeys<TOwner>
{
    public static ConfigKey<TOwner> Text(string name, Func<TOwner, string> get, Action<TOwner, string> set,
        string description, string? flag = null, Func<string, string?>? check = null) =>
        new ConfigKey<TOwner, string>(name, ConfigValueTypes.Text, get, set, description, flag, check);

    public static ConfigKey<TOwner> Boolean(string name, Func<TOwner, bool> get, Action<TOwner, bool> set,
        string description, string? flag = null) =>
        new ConfigKey<TOwner, bool>(name, ConfigValueTypes.Boolean, get, set, description, flag);

    public static ConfigKey<TOwner> Integer(string name, Func<TOwner, long> get, Action<TOwner, long> set,
        string description, string? flag = null, Func<long, string?>? check = null) =>
        new ConfigKey<TOwner, long>(name, ConfigValueTypes.Integer, get, set, description, flag, check);

    public static ConfigKey<TOwner> TextList(string name, Func<TOwner, IReadOnlyList<string>> get,
        Action<TOwner, IReadOnlyList<string>> set, string description, string? flag = null,
        Func<IReadOnlyList<string>, string?>? check = null) =>
        new ConfigKey<TOwner, IReadOnlyList<string>>(name, ConfigValueTypes.TextList, get, set, description, flag, check);
}
