using CriO.Image.Reference;
using CriO.Image.Registries;

namespace CriO.Image.Tests.Registries;

public sealed class RegistriesConfigMergeTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string MainPath => _directory.Combine("registries.conf");

    private string DropInDirectory => _directory.Combine("registries.conf.d");

    public void Dispose() => _directory.Dispose();

    private RegistriesConfig Load() => RegistriesConfig.Load(MainPath, DropInDirectory);

    [Fact]
    public void Drop_ins_apply_after_the_main_file_in_lexical_order()
    {
        _directory.Write("registries.conf", """
            unqualified-search-registries = ["main.example"]
            short-name-mode = "disabled"
            """);
        // Byte order, as containers/image walks the folder: "10-" before "2-".
        _directory.Write("registries.conf.d/2-last.conf", """unqualified-search-registries = ["two.example"]""");
        _directory.Write("registries.conf.d/10-first.conf", """
            unqualified-search-registries = ["ten.example"]
            short-name-mode = "enforcing"
            """);

        var config = Load();

        Assert.Equal(["two.example"], config.UnqualifiedSearchRegistries);
        Assert.Equal(_directory.Combine("registries.conf.d/2-last.conf"), config.UnqualifiedSearchRegistriesSource);
        Assert.Equal(ShortNameMode.Enforcing, config.ShortNameMode);
    }

    [Fact]
    public void A_setting_a_later_file_leaves_out_is_kept_and_an_empty_list_clears()
    {
        _directory.Write("registries.conf", """unqualified-search-registries = ["main.example"]""");
        _directory.Write("registries.conf.d/a.conf", """short-name-mode = "enforcing" """);

        Assert.Equal(["main.example"], Load().UnqualifiedSearchRegistries);

        _directory.Write("registries.conf.d/b.conf", """unqualified-search-registries = []""");

        Assert.Empty(Load().UnqualifiedSearchRegistries);
    }

    [Fact]
    public void A_later_table_with_the_same_prefix_replaces_the_earlier_one_as_a_whole()
    {
        _directory.Write("registries.conf", """
            [[registry]]
            prefix = "quay.io"
            location = "quay.io"
            insecure = true

            [[registry.mirror]]
            location = "old-mirror.local"

            [[registry]]
            location = "kept.example"
            """);
        _directory.Write("registries.conf.d/50-mirror.conf", """
            [[registry]]
            prefix = "quay.io"
            location = "quay.io"

            [[registry.mirror]]
            location = "new-mirror.local"

            [[registry]]
            location = "added.example"
            """);

        var config = Load();

        Assert.Equal(["added.example", "kept.example", "quay.io"], config.Registries.Select(r => r.Prefix));
        var quay = config.Registries[2];
        Assert.False(quay.Insecure);
        Assert.Equal(["new-mirror.local"], quay.Mirrors.Select(m => m.Location));
        Assert.Equal(_directory.Combine("registries.conf.d/50-mirror.conf"), quay.Source);
        Assert.Equal(MainPath, config.Registries[1].Source);
    }

    [Fact]
    public void Aliases_merge_name_by_name_and_an_empty_value_erases()
    {
        _directory.Write("registries.conf", """
            [aliases]
            "a" = "quay.io/a"
            "b" = "quay.io/b"
            "c" = "quay.io/c"
            """);
        _directory.Write("registries.conf.d/000-shortnames.conf", """
            [aliases]
            "b" = "registry.example/b"
            "c" = ""
            "d" = "registry.example/d"
            """);

        var aliases = Load().Aliases;

        Assert.Equal(
            new Dictionary<string, string> { ["a"] = "quay.io/a", ["b"] = "registry.example/b", ["d"] = "registry.example/d" },
            aliases);
    }

    [Fact]
    public void The_short_name_aliases_cache_takes_precedence()
    {
        _directory.Write("registries.conf", """
            [aliases]
            "a" = "quay.io/a"
            "b" = "quay.io/b"
            """);
        var cache = _directory.Write("cache/short-name-aliases.conf", """
            unqualified-search-registries = ["ignored.example"]

            [aliases]
            "a" = "cache.example/a"
            "b" = ""
            """);

        var config = RegistriesConfig.Load(MainPath, DropInDirectory, cache);

        Assert.Equal(new Dictionary<string, string> { ["a"] = "cache.example/a" }, config.Aliases);
        Assert.Empty(config.UnqualifiedSearchRegistries);
        Assert.Contains(config.Warnings, w => w.StartsWith(cache, StringComparison.Ordinal));
    }

    [Fact]
    public void Only_conf_files_directly_in_the_folder_are_read()
    {
        _directory.Write("registries.conf.d/a.conf", """unqualified-search-registries = ["a.example"]""");
        _directory.Write("registries.conf.d/z.conf.rpmsave", """unqualified-search-registries = ["rpmsave.example"]""");
        _directory.Write("registries.conf.d/z.conf~", """unqualified-search-registries = ["backup.example"]""");
        _directory.Write("registries.conf.d/zz/nested.conf", """unqualified-search-registries = ["nested.example"]""");

        Assert.Equal(["a.example"], Load().UnqualifiedSearchRegistries);
    }

    [Fact]
    public void Missing_files_and_folders_are_an_empty_configuration()
    {
        var config = Load();

        Assert.Empty(config.Registries);
        Assert.Equal(ShortNameMode.Permissive, config.ShortNameMode);
        Assert.Equal(["docker.io/library/busybox:latest"], config.PullSources(ImageReference.Parse("busybox")).Select(s => s.Reference.ToString()));
    }

    [Fact]
    public void A_drop_in_is_read_without_a_main_file()
    {
        _directory.Write("registries.conf.d/a.conf", """unqualified-search-registries = ["a.example"]""");

        Assert.Equal(["a.example"], Load().UnqualifiedSearchRegistries);
    }

    [Fact]
    public void A_drop_in_in_the_v1_format_is_refused()
    {
        var path = _directory.Write("registries.conf.d/old.conf", """
            [registries.search]
            registries = ["docker.io"]
            """);

        var e = Assert.Throws<RegistriesConfigException>(Load);

        Assert.Equal(path, e.Source);
        Assert.Contains("v2 format", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_main_file_may_be_v1_with_v2_drop_ins()
    {
        _directory.Write("registries.conf", """
            [registries.search]
            registries = ["quay.io"]

            [registries.block]
            registries = ["bad.example"]
            """);
        _directory.Write("registries.conf.d/a.conf", """
            [[registry]]
            location = "quay.io"
            insecure = true
            """);

        var config = Load();

        Assert.Equal(["quay.io"], config.UnqualifiedSearchRegistries);
        Assert.Equal(["bad.example", "quay.io"], config.Registries.Select(r => r.Prefix));
        Assert.True(config.Registries[0].Blocked);
    }

    [Fact]
    public void An_error_in_a_drop_in_names_that_file()
    {
        var path = _directory.Write("registries.conf.d/broken.conf", """short-name-mode = "sometimes" """);

        var e = Assert.Throws<RegistriesConfigException>(Load);

        Assert.Equal(path, e.Source);
        Assert.Equal("short-name-mode", e.Key);
        Assert.StartsWith($"{path}: short-name-mode: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_in_one_folder_may_disagree_where_one_file_may_not()
    {
        // The insecure/blocked consistency check is per file, as in containers/image.
        _directory.Write("registries.conf", """
            [[registry]]
            prefix = "a.example"
            location = "shared.example"
            """);
        _directory.Write("registries.conf.d/a.conf", """
            [[registry]]
            prefix = "b.example"
            location = "shared.example"
            insecure = true
            """);

        Assert.Equal([false, true], Load().Registries.Select(r => r.Insecure));
    }
}
