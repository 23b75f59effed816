using CriO.Storage.Metadata;

namespace CriO.Storage.Store;

/// <summary>
/// Checks that the store's records and folders agree, and optionally repairs what does not,
/// like `crio check --repair`: short links rebuilt from link files, incomplete or broken layers
/// removed with the images and containers that need them, folders no record owns removed.
/// Everything is done under the exclusive locks, so it is safe beside podman and skopeo.
/// </summary>
public static class StoreChecker
{
    public static IReadOnlyList<StoreProblem> Check(ContainerStorage storage, bool repair)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var problems = new List<StoreProblem>();
        var driver = storage.Layers.Driver;
        using var layers = storage.Layers.Records.OpenExclusive();
        using var images = storage.Images.Records.OpenExclusive();
        using var containers = storage.Containers.Records.OpenExclusive();

        var broken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in layers.Writable)
        {
            var problem = layer switch
            {
                { IsIncomplete: true } => "is incomplete (an interrupted create or delete)",
                _ when !driver.Exists(layer.Id) => "has no diff folder",
                { Parent: { } parent } when !layers.Writable.Any(l => l.Id == parent) => $"has a missing parent {parent}",
                _ => null,
            };
            if (problem is not null)
            {
                broken.Add(layer.Id);
                problems.Add(new StoreProblem("layer", layer.Id, problem));
            }
            else if (!HasShortLink(driver, layer.Id))
            {
                var missingLink = new StoreProblem("layer", layer.Id, "has a missing or wrong short link in l/");
                problems.Add(missingLink);
                if (repair)
                {
                    RebuildShortLink(driver, layer.Id);
                    missingLink.Repaired = true;
                }
            }
        }

        // Whatever builds on a broken layer is broken too.
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var layer in layers.Writable.Where(l => l.Parent is not null && broken.Contains(l.Parent) && broken.Add(l.Id)))
            {
                problems.Add(new StoreProblem("layer", layer.Id, $"builds on broken layer {layer.Parent}"));
                grew = true;
            }
        }

        var brokenImages = images.Writable.Where(i => i.TopLayer is { } top && (broken.Contains(top) || !layers.Writable.Any(l => l.Id == top))).ToList();
        problems.AddRange(brokenImages.Select(i => new StoreProblem("image", i.Id, $"has a missing or broken top layer {i.TopLayer}")));
        var brokenContainers = containers.Writable.Where(c => broken.Contains(c.LayerId) || !layers.Writable.Any(l => l.Id == c.LayerId)).ToList();
        problems.AddRange(brokenContainers.Select(c => new StoreProblem("container", c.Id, $"has a missing or broken layer {c.LayerId}")));

        var owned = layers.Writable.Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
        var orphans = Directory.GetDirectories(driver.Home).Select(Path.GetFileName).OfType<string>()
            .Where(name => StoreIds.IsValid(name) && !owned.Contains(name)).ToList();
        problems.AddRange(orphans.Select(o => new StoreProblem("folder", o, "overlay folder with no layer record")));

        if (repair)
        {
            foreach (var container in brokenContainers)
            {
                storage.Containers.DeleteLocked(containers, container);
            }

            foreach (var image in brokenImages)
            {
                storage.Images.DeleteLocked(images, image);
            }

            // Top-down, so no layer is removed before what builds on it.
            foreach (var layer in layers.Writable.Where(l => broken.Contains(l.Id)).OrderByDescending(l => Depth(layers.Writable, l)).ToList())
            {
                storage.Layers.DeleteLocked(layers, layer.Id);
            }

            foreach (var orphan in orphans)
            {
                driver.Remove(orphan);
            }

            foreach (var problem in problems)
            {
                problem.Repaired = true;
            }
        }

        return problems;
    }

    private static bool HasShortLink(Overlay.OverlayDriver driver, string id)
    {
        var linkFile = Path.Combine(driver.LayerDirectory(id), "link");
        if (!File.Exists(linkFile))
        {
            return false;
        }

        var link = new FileInfo(Path.Combine(driver.Home, "l", File.ReadAllText(linkFile).Trim()));
        return link.LinkTarget == Path.Combine("..", id, "diff");
    }

    private static void RebuildShortLink(Overlay.OverlayDriver driver, string id)
    {
        var linkFile = Path.Combine(driver.LayerDirectory(id), "link");
        var name = File.Exists(linkFile) ? File.ReadAllText(linkFile).Trim() : "";
        if (!Overlay.ShortLinkId.IsValid(name))
        {
            name = Overlay.ShortLinkId.Create();
            File.WriteAllText(linkFile, name);
        }

        var link = Path.Combine(driver.Home, "l", name);
        if (Path.Exists(link))
        {
            File.Delete(link);
        }

        File.CreateSymbolicLink(link, Path.Combine("..", id, "diff"));
    }

    private static int Depth(IReadOnlyList<LayerRecord> layers, LayerRecord layer)
    {
        var depth = 0;
        for (var parent = layer.Parent; parent is not null && depth < layers.Count; depth++)
        {
            parent = layers.FirstOrDefault(l => l.Id == parent)?.Parent;
        }

        return depth;
    }
}
