using System.CommandLine;
using System.Globalization;
using CriO.Image.Import;
using CriO.Server.Config;
using CriO.Storage.Store;

namespace CriO.Server.CommandLine;

/// <summary>
/// `crio storage ...`: the operator's view of the containers/storage store the configuration
/// points at (root, runroot): list layers, images and containers, import an OCI layout (a
/// preload without a registry), remove an image, and check or repair the store.
/// </summary>
internal static class StorageCommand
{
    public static Command Create(Func<ParseResult, ConfigSources> sources)
    {
        var storage = new Command("storage", "Inspect and maintain the image and container store (containers/storage format).");

        storage.Subcommands.Add(WithStore(new Command("layers", "List the layers."), sources, (store, _) =>
        {
            Console.Out.WriteLine("ID\tPARENT\tSIZE\tNAMES");
            foreach (var layer in store.Layers.List())
            {
                Console.Out.WriteLine($"{Short(layer.Id)}\t{Short(layer.Parent)}\t{layer.UncompressedSize.ToString(CultureInfo.InvariantCulture)}\t{string.Join(',', layer.Names ?? [])}{(layer.IsIncomplete ? "\t(incomplete)" : "")}");
            }

            return Task.FromResult(0);
        }));

        storage.Subcommands.Add(WithStore(new Command("images", "List the images."), sources, (store, _) =>
        {
            Console.Out.WriteLine("ID\tTOP LAYER\tCREATED\tNAMES");
            foreach (var image in store.Images.List())
            {
                Console.Out.WriteLine($"{Short(image.Id)}\t{Short(image.TopLayer)}\t{image.Created.Text}\t{string.Join(',', image.Names ?? [])}");
            }

            return Task.FromResult(0);
        }));

        storage.Subcommands.Add(WithStore(new Command("containers", "List the containers."), sources, (store, _) =>
        {
            Console.Out.WriteLine("ID\tIMAGE\tLAYER\tNAMES");
            foreach (var container in store.Containers.List())
            {
                Console.Out.WriteLine($"{Short(container.Id)}\t{Short(container.ImageId)}\t{Short(container.LayerId)}\t{string.Join(',', container.Names ?? [])}");
            }

            return Task.FromResult(0);
        }));

        var layout = new Argument<string>("source") { Description = "oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE, or DIR:REF (an OCI layout)." };
        var names = new Argument<string[]>("names") { Description = "Names to give the image (e.g. docker.io/library/busybox:latest).", Arity = ArgumentArity.ZeroOrMore };
        var import = new Command("import", "Import an image without a registry: an OCI layout, an OCI archive or a docker archive.") { layout, names };
        storage.Subcommands.Add(WithStore(import, sources, async (store, parsed) =>
        {
            var value = parsed.GetValue(layout)!;
            var source = value.StartsWith("oci:", StringComparison.Ordinal) || value.StartsWith("oci-archive:", StringComparison.Ordinal) || value.StartsWith("docker-archive:", StringComparison.Ordinal)
                ? value
                : "oci:" + value;
            var image = await ArchiveImporter.ImportAsync(store, source, parsed.GetValue(names) ?? [], CancellationToken.None).ConfigureAwait(false);
            Console.Out.WriteLine(image.Id);
            return 0;
        }));

        var imageArgument = new Argument<string>("image") { Description = "Image ID, ID prefix, name or digest." };
        var rmi = new Command("rmi", "Remove an image and its layers no other image uses (refused while a container uses it).") { imageArgument };
        storage.Subcommands.Add(WithStore(rmi, sources, (store, parsed) =>
        {
            var removed = store.DeleteImage(parsed.GetValue(imageArgument)!);
            Console.Out.WriteLine($"removed image {parsed.GetValue(imageArgument)} and {removed.Count} layers");
            return Task.FromResult(0);
        }));

        storage.Subcommands.Add(CreateCheck(sources));

        return storage;
    }

    /// <summary>`crio check` (and `crio storage check`): the store's records and folders agree, or are made to with --repair.</summary>
    public static Command CreateCheck(Func<ParseResult, ConfigSources> sources)
    {
        var repairOption = new Option<bool>("--repair") { Description = "Fix what the check finds: rebuild short links, remove broken layers, images, containers and stray folders." };
        var check = new Command("check", "Check that the store's records and folders agree (exit 1 when problems remain).") { repairOption };
        return WithStore(check, sources, (store, parsed) =>
        {
            var problems = StoreChecker.Check(store, parsed.GetValue(repairOption));
            foreach (var problem in problems)
            {
                Console.Out.WriteLine(problem.ToString());
            }

            Console.Out.WriteLine(problems.Count == 0 ? "store is consistent" : $"{problems.Count} problems, {problems.Count(p => p.Repaired)} repaired");
            return Task.FromResult(problems.All(p => p.Repaired) ? 0 : 1);
        });
    }

    /// <summary>`crio wipe`: what internal_wipe does at start-up, by hand (the daemon must not be running).</summary>
    public static Command CreateWipe(Func<ParseResult, ConfigSources> sources)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Wipe every container of the CRI and every image no container uses, reboot and upgrade or not." };
        var wipe = new Command("wipe", "Wipe the containers of before a reboot (and the images of before an upgrade) from the store, as internal_wipe does at start-up.") { force };
        return WithStore(wipe, sources, (store, parsed) =>
        {
            var config = ConfigLoader.Load(sources(parsed)).Config;
            var all = parsed.GetValue(force);
            var containers = all || Daemon.StoreMaintenance.Rebooted(config) ? Daemon.StoreMaintenance.WipeContainers(store) : [];
            var images = all || Daemon.StoreMaintenance.Upgraded(config) ? Daemon.StoreMaintenance.WipeImages(store) : [];
            Console.Out.WriteLine($"wiped {containers.Count} containers and {images.Count} images");
            return Task.FromResult(0);
        });
    }

    private static Command WithStore(Command command, Func<ParseResult, ConfigSources> sources, Func<ContainerStorage, ParseResult, Task<int>> run)
    {
        command.SetAction(async parsed =>
        {
            try
            {
                var config = ConfigLoader.Load(sources(parsed)).Config;
                var store = ContainerStorage.Open(config.Root, config.RunRoot);
                return await run(store, parsed).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ConfigException or StoreNotFoundException or StoreConflictException or InvalidDataException or IOException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"crio storage: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    private static string Short(string? id) => id is null ? "-" : id[..Math.Min(12, id.Length)];
}
