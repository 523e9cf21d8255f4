using System.CommandLine;
using KubeRescue.Cli;
using KubeRescue.Cli.Commands;
using KubeRescue.Cli.Commands.Completion;
using KubeRescue.Cli.Commands.Recover;
using KubeRescue.Cli.Commands.Render;
using KubeRescue.Cli.Commands.Status;
using KubeRescue.Cli.Commands.Version;

// The process's standard streams, made once: the commands read and write only these.
var streams = Streams.FromConsole();
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
root.Subcommands.Insert(0, KubeRescue.Cli.Commands.Drill.DrillCommand.Create(streams));
root.Subcommands.Insert(4, KubeRescue.Cli.Commands.Lab.LabCommand.Create(streams));
#else
root.Description = "kube-rescue: diagnose and recover a self-hosted Kubernetes control plane. This build has no lab: `drill` and `lab` are in the JIT build (./kube-rescue, docs/install.md).";
#endif
HelpSummaries.Apply(root);
return await Plugin.InvokeAsync(root, args, streams);
