using System.CommandLine;
using KubeRescue.Cli.Commands;
using KubeRescue.Cli.Commands.Completion;
using KubeRescue.Cli.Commands.Recover;
using KubeRescue.Cli.Commands.Render;
using KubeRescue.Cli.Commands.Status;
using KubeRescue.Cli.Commands.Version;

namespace KubeRescue.Cli;

/// <summary>Every command of kube-rescue over one set of streams: the binary's (the console's), or a test's.</summary>
public static class CommandTree
{
    public static RootCommand Create(Streams streams)
    {
        var root = new RootCommand("""
            kube-rescue: diagnose and recover a self-hosted Kubernetes control plane, and rehearse it on an emulated lab.

            Examples:
              kube-rescue drill                          # rehearse a recovery on the embedded lab, no cluster needed
              kube-rescue status                         # diagnose the cluster of the current kubeconfig context
              kube-rescue render scheduler               # the rescue pod, for review
              kube-rescue recover scheduler --dry-run    # the plan, nothing changed
              kube-rescue recover all --yes              # the whole procedure, verified
            """)
        {
            StatusCommand.Create(streams),
            RenderCommand.Create(streams),
            RecoverCommand.Create(streams),
            VersionCommand.Create(streams),
            CompletionCommand.Create(streams),
        };
#if KUBE_RESCUE_LAB
        root.Subcommands.Insert(0, Commands.Drill.DrillCommand.Create(streams));
        root.Subcommands.Insert(4, Commands.Lab.LabCommand.Create(streams));
#else
        root.Description = "kube-rescue: diagnose and recover a self-hosted Kubernetes control plane. This build has no lab: `drill` and `lab` are in the JIT build (./kube-rescue, docs/install.md).";
#endif
        HelpSummaries.Apply(root);
        return root;
    }
}
