using System.Text;
using System.Text.Json;

namespace CriO.Server.Config;

/// <summary>
/// One configuration key of an owner (the whole config, or one runtime handler): its TOML name,
/// the flag that overrides it, how to read, check and print it. The schema is a list of these.
/// </summary>
public abstract class ConfigKey<TOwner>
{
    protected ConfigKey(string name, string description, string? flag)
    {
        Name = name;
        Description = description;
        Flag = flag;
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>The command-line flag, with its dashes, or null when the key has none.</summary>
    public string? Flag { get; }

    public abstract bool IsList { get; }

    public abstract void ApplyToml(TOwner owner, object value);

    public abstract void ApplyFlag(TOwner owner, IReadOnlyList<string> values);

    public abstract void WriteToml(TOwner owner, StringBuilder output);

    public abstract void WriteJson(TOwner owner, Utf8JsonWriter output);
}

/// <summary>A key whose value has type <typeparamref name="TValue"/>.</summary>
public sealed class ConfigKey<TOwner, TValue> : ConfigKey<TOwner>
{
    private readonly ConfigValueType<TValue> _type;
    private readonly Func<TOwner, TValue> _get;
    private readonly Action<TOwner, TValue> _set;
    private readonly Func<TValue, string?>? _validate;

    public ConfigKey(
        string name,
        ConfigValueType<TValue> type,
        Func<TOwner, TValue> get,
        Action<TOwner, TValue> set,
        string description,
        string? flag = null,
        Func<TValue, string?>? validate = null)
        : base(name, description, flag)
    {
        _type = type;
        _get = get;
        _set = set;
        _validate = validate;
    }

    public override bool IsList => _type == (object)ConfigValueTypes.TextList;

    public override void ApplyToml(TOwner owner, object value) => Set(owner, _type.FromToml(value));

    public override void ApplyFlag(TOwner owner, IReadOnlyList<string> values) => Set(owner, _type.FromFlag(values));

    public override void WriteToml(TOwner owner, StringBuilder output) => _type.WriteToml(output, _get(owner));

    public override void WriteJson(TOwner owner, Utf8JsonWriter output) => _type.WriteJson(output, _get(owner));

    private void Set(TOwner owner, TValue value)
    {
        if (_validate?.Invoke(value) is { } problem)
        {
            throw new ConfigValueException(problem);
        }

        _set(owner, value);
    }
}
