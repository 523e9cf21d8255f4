using System.CommandLine;
using KubeRescue.Cli.Commands;
using KubeRescue.Cli.Commands.Completion;
using KubeRescue.Cli.Commands.Drill;
using KubeRescue.Cli.Commands.Lab;
using KubeRescue.Cli.Commands.Recover;
using KubeRescue.Cli.Commands.Render;
using KubeRescue.Cli.Commands.Status;

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
    DrillCommand.Create(),
    StatusCommand.Create(),
    RenderCommand.Create(),
    RecoverCommand.Create(),
    LabCommand.Create(),
    CompletionCommand.Create(),
};
HelpSummaries.Apply(root);
return await root.Parse(args).InvokeAsync();
