#!/usr/bin/env python3
"""Generate a large, realistic Flink JobManager log for benchmarking flinkha.

The output replays the shape of the real Flink 1.20 standalone-session JobManager logs in
/work/shared/corpus (log4j layout `%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n`):

* a startup banner per JobManager incarnation (including the multi-line `Preconfiguration`
  record, JVM options, configuration, ZooKeeper client environment, the SASL warning with its
  stack trace and the benign `Authentication failed` ERROR);
* leadership grants (REST endpoint, dispatcher, resource manager, job master) with a fresh
  leaderSessionID per incarnation;
* one streaming job: submission in the first incarnation, `Retrieved job ids [J]` /
  `Recovered JobGraph` / `Restoring job J from Checkpoint N @ ...` in every later one;
* checkpoints triggered and completed every interval, ids strictly increasing across
  failovers (a checkpoint in flight when a process dies consumes its id, as in Flink);
* lots of non-HA chatter (task state transitions, SourceCoordinator, slot manager, RPC,
  configuration warnings) and multi-line records (stack traces with `Caused by:` and
  `... N more`, slot-manager resource dumps);
* failovers now and then: a task failure or a lost TaskManager (RUNNING -> RESTARTING ->
  restore from the latest completed checkpoint -> RUNNING), declined checkpoints, and
  occasionally a new JobManager incarnation (kill -9 or SIGTERM of the old one);
* at the end: the job is cancelled, its HA data cleaned up, the process stopped by SIGTERM.

Every recovery restores the latest completed checkpoint, so a correct HA checker must find
the file HA-correct. Timestamps (UTC) are strictly increasing, one millisecond at least
between records. The output is a pure function of the arguments (seeded PRNG, fixed start
time), ASCII only.

Usage:  python3 benches/genlog.py --size 1GiB --out /tmp/jm-1g.log [--seed 1]
"""

import argparse
import calendar
import random
import sys
import time

MS = ["%03d" % i for i in range(1000)]
CP_TYPE = "CheckpointType{name='Checkpoint', sharingFilesStrategy=FORWARD_BACKWARD}"
JOB_NAME = "HA-Lab-Counter"
FLINK = "1.20.5"
JAR = "[flink-dist-%s.jar:%s]" % (FLINK, FLINK)
ZK_NS = "ZooKeeperStateHandleStore{namespace='flink/lab/jobgraphs'}"
FLUSH_CHARS = 1 << 22

# Loggers, by short name.
LOG = {
    "entry": "org.apache.flink.runtime.entrypoint.ClusterEntrypoint",
    "gconf": "org.apache.flink.configuration.GlobalConfiguration",
    "conf": "org.apache.flink.configuration.Configuration",
    "fs": "org.apache.flink.core.fs.FileSystem",
    "plugin": "org.apache.flink.core.plugin.DefaultPluginManager",
    "hadoopmod": "org.apache.flink.runtime.security.modules.HadoopModuleFactory",
    "jaas": "org.apache.flink.runtime.security.modules.JaasModule",
    "hadoopctx": "org.apache.flink.runtime.security.contexts.HadoopSecurityContextFactory",
    "rpcutil": "org.apache.flink.runtime.rpc.pekko.PekkoRpcServiceUtils",
    "rpc": "org.apache.flink.runtime.rpc.pekko.PekkoRpcService",
    "slf4j": "org.apache.pekko.event.slf4j.Slf4jLogger",
    "refprov": "org.apache.pekko.remote.RemoteActorRefProvider",
    "remoting": "org.apache.pekko.remote.Remoting",
    "reliable": "org.apache.pekko.remote.ReliableDeliverySupervisor",
    "coordshut": "org.apache.pekko.actor.CoordinatedShutdown",
    "remterm": "org.apache.pekko.remote.RemoteActorRefProvider$RemotingTerminator",
    "dtm": "org.apache.flink.runtime.security.token.DefaultDelegationTokenManager",
    "dtr": "org.apache.flink.runtime.security.token.DelegationTokenReceiverRepository",
    "zkutil": "org.apache.flink.runtime.util.ZooKeeperUtils",
    "curator": "org.apache.flink.shaded.curator5.org.apache.curator.framework.imps.CuratorFrameworkImpl",
    "zk": "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.ZooKeeper",
    "x509": "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.common.X509Util",
    "cnxsock": "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.ClientCnxnSocket",
    "cnxn": "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.ClientCnxn",
    "connstate": "org.apache.flink.shaded.curator5.org.apache.curator.ConnectionState",
    "connmgr": "org.apache.flink.shaded.curator5.org.apache.curator.framework.state.ConnectionStateManager",
    "ensemble": "org.apache.flink.shaded.curator5.org.apache.curator.framework.imps.EnsembleTracker",
    "blob": "org.apache.flink.runtime.blob.BlobServer",
    "blobstore": "org.apache.flink.runtime.blob.FileSystemBlobStore",
    "metrics": "org.apache.flink.runtime.metrics.MetricRegistryImpl",
    "egstore": "org.apache.flink.runtime.dispatcher.FileExecutionGraphInfoStore",
    "rest": "org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint",
    "webutil": "org.apache.flink.runtime.webmonitor.WebMonitorUtils",
    "les": "org.apache.flink.runtime.leaderelection.DefaultLeaderElectionService",
    "lrs": "org.apache.flink.runtime.leaderretrieval.DefaultLeaderRetrievalService",
    "lrd": "org.apache.flink.runtime.leaderretrieval.ZooKeeperLeaderRetrievalDriver",
    "runner": "org.apache.flink.runtime.dispatcher.runner.DefaultDispatcherRunner",
    "rmsvc": "org.apache.flink.runtime.resourcemanager.ResourceManagerServiceImpl",
    "sdlp": "org.apache.flink.runtime.dispatcher.runner.SessionDispatcherLeaderProcess",
    "jrs": "org.apache.flink.runtime.highavailability.FileSystemJobResultStore",
    "jgstore": "org.apache.flink.runtime.jobmanager.DefaultJobGraphStore",
    "rm": "org.apache.flink.runtime.resourcemanager.StandaloneResourceManager",
    "slotmgr": "org.apache.flink.runtime.resourcemanager.slotmanager.FineGrainedSlotManager",
    "syncer": "org.apache.flink.runtime.resourcemanager.slotmanager.DefaultSlotStatusSyncer",
    "disp": "org.apache.flink.runtime.dispatcher.StandaloneDispatcher",
    "jmrunner": "org.apache.flink.runtime.jobmaster.JobMasterServiceLeadershipRunner",
    "jm": "org.apache.flink.runtime.jobmaster.JobMaster",
    "cpsu": "org.apache.flink.runtime.checkpoint.DefaultCompletedCheckpointStoreUtils",
    "cpstore": "org.apache.flink.runtime.checkpoint.DefaultCompletedCheckpointStore",
    "cpidc": "org.apache.flink.runtime.checkpoint.ZooKeeperCheckpointIDCounter",
    "zkstore": "org.apache.flink.runtime.zookeeper.ZooKeeperStateHandleStore",
    "eg": "org.apache.flink.runtime.executiongraph.ExecutionGraph",
    "topo": "org.apache.flink.runtime.scheduler.adapter.DefaultExecutionTopology",
    "sbl": "org.apache.flink.runtime.state.StateBackendLoader",
    "cc": "org.apache.flink.runtime.checkpoint.CheckpointCoordinator",
    "cfm": "org.apache.flink.runtime.checkpoint.CheckpointFailureManager",
    "recreate": "org.apache.flink.runtime.operators.coordination.RecreateOnResetOperatorCoordinator",
    "src": "org.apache.flink.runtime.source.coordinator.SourceCoordinator",
    "slotpool": "org.apache.flink.runtime.jobmaster.slotpool.DefaultDeclarativeSlotPool",
    "haserv": "org.apache.flink.runtime.highavailability.zookeeper.ZooKeeperLeaderElectionHaServices",
    "compat": "org.apache.flink.shaded.curator5.org.apache.curator.utils.Compatibility",
    "jobdetails": "org.apache.flink.runtime.rest.handler.job.JobDetailsHandler",
}

_PFX = {}


def pfx(level, logger):
    """The text between the timestamp and the message: ` LEVEL logger(padded) [] - `."""
    key = (level, logger)
    p = _PFX.get(key)
    if p is None:
        p = " %-5s %-60s [] - " % (level, LOG[logger])
        _PFX[key] = p
    return p


def frames(spec):
    """Render stack frames: `\\tat cls.method(File.java:N) ~[jar]`, one string with newlines."""
    out = []
    for f in spec:
        out.append("\tat " + f + "\n")
    return "".join(out)


# Stack frames (what a JVM prints for these well-known failure paths; shapes as in the corpus).
_FUT = [
    "java.base/java.util.concurrent.CompletableFuture.uniWhenComplete(CompletableFuture.java:863) ~[?:?]",
    "java.base/java.util.concurrent.CompletableFuture$UniWhenComplete.tryFire(CompletableFuture.java:841) ~[?:?]",
    "java.base/java.util.concurrent.CompletableFuture.postComplete(CompletableFuture.java:510) ~[?:?]",
    "java.base/java.util.concurrent.CompletableFuture.completeExceptionally(CompletableFuture.java:2162) ~[?:?]",
]
_PEKKO = [
    "org.apache.pekko.japi.pf.UnitCaseStatement.apply(CaseStatements.scala:33) ~[?:?]",
    "org.apache.pekko.japi.pf.UnitCaseStatement.apply(CaseStatements.scala:29) ~[?:?]",
    "scala.PartialFunction.applyOrElse(PartialFunction.scala:127) ~[flink-scala_2.12-%s.jar:%s]" % (FLINK, FLINK),
    "scala.PartialFunction.applyOrElse$(PartialFunction.scala:126) ~[flink-scala_2.12-%s.jar:%s]" % (FLINK, FLINK),
    "org.apache.pekko.japi.pf.UnitCaseStatement.applyOrElse(CaseStatements.scala:29) ~[?:?]",
    "scala.PartialFunction$OrElse.applyOrElse(PartialFunction.scala:175) ~[flink-scala_2.12-%s.jar:%s]" % (FLINK, FLINK),
    "org.apache.pekko.actor.Actor.aroundReceive(Actor.scala:547) ~[?:?]",
    "org.apache.pekko.actor.Actor.aroundReceive$(Actor.scala:545) ~[?:?]",
    "org.apache.pekko.actor.AbstractActor.aroundReceive(AbstractActor.scala:229) ~[?:?]",
    "org.apache.pekko.actor.ActorCell.receiveMessage(ActorCell.scala:590) ~[?:?]",
    "org.apache.pekko.actor.ActorCell.invoke(ActorCell.scala:557) ~[?:?]",
    "org.apache.pekko.dispatch.Mailbox.processMailbox(Mailbox.scala:272) ~[?:?]",
    "org.apache.pekko.dispatch.Mailbox.run(Mailbox.scala:233) ~[?:?]",
    "org.apache.pekko.dispatch.Mailbox.exec(Mailbox.scala:245) ~[?:?]",
    "java.base/java.util.concurrent.ForkJoinTask.doExec(ForkJoinTask.java:373) ~[?:?]",
    "java.base/java.util.concurrent.ForkJoinPool$WorkQueue.topLevelExec(ForkJoinPool.java:1182) ~[?:?]",
    "java.base/java.util.concurrent.ForkJoinPool.scan(ForkJoinPool.java:1655) ~[?:?]",
    "java.base/java.util.concurrent.ForkJoinPool.runWorker(ForkJoinPool.java:1622) ~[?:?]",
    "java.base/java.util.concurrent.ForkJoinWorkerThread.run(ForkJoinWorkerThread.java:165) ~[?:?]",
]
_RPC = [
    "org.apache.flink.runtime.rpc.pekko.PekkoRpcActor.lambda$handleRunAsync$4(PekkoRpcActor.java:460) ~[?:?]",
    "org.apache.flink.runtime.concurrent.ClassLoadingUtils.runWithContextClassLoader(ClassLoadingUtils.java:68) " + "~" + JAR,
    "org.apache.flink.runtime.rpc.pekko.PekkoRpcActor.handleRunAsync(PekkoRpcActor.java:460) ~[?:?]",
    "org.apache.flink.runtime.rpc.pekko.PekkoRpcActor.handleRpcMessage(PekkoRpcActor.java:225) ~[?:?]",
    "org.apache.flink.runtime.rpc.pekko.FencedPekkoRpcActor.handleRpcMessage(FencedPekkoRpcActor.java:88) ~[?:?]",
    "org.apache.flink.runtime.rpc.pekko.PekkoRpcActor.handleMessage(PekkoRpcActor.java:174) ~[?:?]",
]

TRACE_SASL = (
    "javax.security.auth.login.LoginException: No JAAS configuration section named 'Client' was found in "
    "specified JAAS configuration file: '/tmp/jaas-%s.conf'.\n"
    + frames([
        "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.client.ZooKeeperSaslClient.<init>(ZooKeeperSaslClient.java:189) ~" + JAR,
        "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.ClientCnxn$SendThread.startConnect(ClientCnxn.java:1151) " + JAR,
        "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.ClientCnxn$SendThread.run(ClientCnxn.java:1201) " + JAR,
    ])
)

UNREACHABLE = (
    "org.apache.flink.runtime.rpc.exceptions.RecipientUnreachableException: Could not send message "
    "[RemoteRpcInvocation(TaskExecutorGateway.triggerCheckpoint(ExecutionAttemptID, long, long, CheckpointOptions))] "
    "from sender [Actor[pekko://flink/temp/taskmanager_0$%s]] to recipient "
    "[Actor[pekko.tcp://flink@localhost:%d/user/rpc/taskmanager_0#%d]], because the recipient is unreachable. "
    "This can either mean that the recipient has been terminated or that the remote RpcService is currently not reachable."
)

TRACE_TRIGGER_FAILURE = (
    "org.apache.flink.runtime.checkpoint.CheckpointException: Trigger checkpoint failure.\n"
    + frames(
        ["org.apache.flink.runtime.checkpoint.CheckpointCoordinator.lambda$triggerCheckpointRequest$10(CheckpointCoordinator.java:810) ~" + JAR,
         "java.base/java.util.concurrent.CompletableFuture.uniExceptionally(CompletableFuture.java:990) ~[?:?]",
         "java.base/java.util.concurrent.CompletableFuture$UniExceptionally.tryFire(CompletableFuture.java:974) ~[?:?]"]
        + _FUT[2:]
        + ["org.apache.flink.util.concurrent.FutureUtils$WaitingConjunctFuture.handleCompletedFuture(FutureUtils.java:808) ~" + JAR]
        + _FUT
        + ["org.apache.flink.runtime.rpc.pekko.PekkoInvocationHandler.lambda$invokeRpc$1(PekkoInvocationHandler.java:261) ~[?:?]"]
        + _FUT
        + ["org.apache.flink.util.concurrent.FutureUtils.doForward(FutureUtils.java:1313) ~" + JAR,
           "org.apache.flink.runtime.concurrent.ClassLoadingUtils.lambda$null$1(ClassLoadingUtils.java:93) ~" + JAR,
           "org.apache.flink.runtime.concurrent.ClassLoadingUtils.runWithContextClassLoader(ClassLoadingUtils.java:68) ~" + JAR]
        + _FUT
        + ["org.apache.flink.runtime.concurrent.pekko.ScalaFutureUtils$1.onComplete(ScalaFutureUtils.java:45) ~[?:?]",
           "org.apache.pekko.dispatch.OnComplete.internal(Future.scala:309) ~[?:?]",
           "org.apache.pekko.dispatch.OnComplete.internal(Future.scala:307) ~[?:?]",
           "org.apache.pekko.dispatch.japi$CallbackBridge.apply(Future.scala:234) ~[?:?]",
           "org.apache.pekko.pattern.PromiseActorRef.$bang(AskSupport.scala:624) ~[?:?]",
           "org.apache.pekko.actor.ActorRef.tell(ActorRef.scala:141) ~[?:?]",
           "org.apache.flink.runtime.rpc.pekko.DeadLettersActor.handleDeadLetter(DeadLettersActor.java:56) ~[?:?]"]
        + _PEKKO
    )
    + "Caused by: " + UNREACHABLE + "\n"
    + frames(["org.apache.flink.runtime.rpc.pekko.DeadLettersActor.handleDeadLetter(DeadLettersActor.java:61) ~[?:?]"])
    + "\t... 19 more\n"
)

TRACE_TM_UNREACHABLE = (
    "org.apache.flink.runtime.jobmaster.JobMasterException: TaskManager with id %s is no longer reachable.\n"
    + frames(
        ["org.apache.flink.runtime.jobmaster.JobMaster$TaskManagerHeartbeatListener.notifyTargetUnreachable(JobMaster.java:1640) ~" + JAR,
         "org.apache.flink.runtime.heartbeat.DefaultHeartbeatMonitor.reportHeartbeatRpcFailure(DefaultHeartbeatMonitor.java:126) ~" + JAR,
         "org.apache.flink.runtime.heartbeat.HeartbeatManagerImpl.runIfHeartbeatMonitorExists(HeartbeatManagerImpl.java:275) ~" + JAR,
         "org.apache.flink.runtime.heartbeat.HeartbeatManagerImpl.reportHeartbeatTargetUnreachable(HeartbeatManagerImpl.java:267) ~" + JAR,
         "org.apache.flink.runtime.heartbeat.HeartbeatManagerImpl.handleHeartbeatRpcFailure(HeartbeatManagerImpl.java:262) ~" + JAR,
         "org.apache.flink.runtime.heartbeat.HeartbeatManagerImpl.lambda$handleHeartbeatRpc$0(HeartbeatManagerImpl.java:248) ~" + JAR]
        + _FUT[:2]
        + ["java.base/java.util.concurrent.CompletableFuture$Completion.run(CompletableFuture.java:482) ~[?:?]"]
        + _RPC + _PEKKO
    )
)

TRACE_TASK_FAILURE = (
    "java.lang.RuntimeException: Could not forward element to next operator\n"
    + frames([
        "org.apache.flink.streaming.runtime.tasks.CopyingChainingOutput.pushToOperator(CopyingChainingOutput.java:92) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.CopyingChainingOutput.collect(CopyingChainingOutput.java:50) ~" + JAR,
        "org.apache.flink.streaming.api.operators.CountingOutput.collect(CountingOutput.java:52) ~" + JAR,
        "org.apache.flink.streaming.api.operators.StreamGroupedReduceOperator.processElement(StreamGroupedReduceOperator.java:72) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.OneInputStreamTask$StreamTaskNetworkOutput.emitRecord(OneInputStreamTask.java:238) ~" + JAR,
        "org.apache.flink.streaming.runtime.io.AbstractStreamTaskNetworkInput.processElement(AbstractStreamTaskNetworkInput.java:157) ~" + JAR,
        "org.apache.flink.streaming.runtime.io.AbstractStreamTaskNetworkInput.emitNext(AbstractStreamTaskNetworkInput.java:114) ~" + JAR,
        "org.apache.flink.streaming.runtime.io.StreamOneInputProcessor.processInput(StreamOneInputProcessor.java:65) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.StreamTask.processInput(StreamTask.java:638) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.mailbox.MailboxProcessor.runMailboxLoop(MailboxProcessor.java:231) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.StreamTask.runMailboxLoop(StreamTask.java:973) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.StreamTask.invoke(StreamTask.java:917) ~" + JAR,
        "org.apache.flink.runtime.taskmanager.Task.runWithSystemExitMonitoring(Task.java:970) ~" + JAR,
        "org.apache.flink.runtime.taskmanager.Task.restoreAndInvoke(Task.java:949) ~" + JAR,
        "org.apache.flink.runtime.taskmanager.Task.doRun(Task.java:763) ~" + JAR,
        "org.apache.flink.runtime.taskmanager.Task.run(Task.java:575) ~" + JAR,
        "java.base/java.lang.Thread.run(Thread.java:840) ~[?:?]",
    ])
    + "Caused by: java.lang.IllegalStateException: Counter state for key %d is inconsistent\n"
    + frames([
        "com.example.halab.CountingReducer.reduce(CountingReducer.java:41) ~[?:?]",
        "com.example.halab.CountingReducer.reduce(CountingReducer.java:17) ~[?:?]",
        "org.apache.flink.streaming.api.operators.StreamGroupedReduceOperator.processElement(StreamGroupedReduceOperator.java:67) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.CopyingChainingOutput.pushToOperator(CopyingChainingOutput.java:75) ~" + JAR,
    ])
    + "\t... 16 more\n"
)

TRACE_DECLINE = (
    "org.apache.flink.util.SerializedThrowable: Task name with subtask : %s Failure reason: "
    "Checkpoint was declined (tasks not ready)\n"
    + frames([
        "org.apache.flink.streaming.runtime.tasks.SubtaskCheckpointCoordinatorImpl.checkpointState(SubtaskCheckpointCoordinatorImpl.java:354) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.StreamTask.performCheckpoint(StreamTask.java:1402) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.StreamTask.triggerCheckpointAsyncInMailbox(StreamTask.java:1297) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.StreamTask.lambda$triggerCheckpointAsync$14(StreamTask.java:1244) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor$1.runThrowing(StreamTaskActionExecutor.java:50) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.mailbox.Mail.run(Mail.java:101) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.mailbox.MailboxProcessor.runMail(MailboxProcessor.java:414) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.mailbox.MailboxProcessor.processMailsWhenDefaultActionUnavailable(MailboxProcessor.java:383) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.mailbox.MailboxProcessor.processMail(MailboxProcessor.java:368) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.mailbox.MailboxProcessor.runMailboxLoop(MailboxProcessor.java:229) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.StreamTask.runMailboxLoop(StreamTask.java:973) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.StreamTask.invoke(StreamTask.java:917) ~" + JAR,
        "org.apache.flink.runtime.taskmanager.Task.runWithSystemExitMonitoring(Task.java:970) ~" + JAR,
        "org.apache.flink.runtime.taskmanager.Task.restoreAndInvoke(Task.java:949) ~" + JAR,
        "org.apache.flink.runtime.taskmanager.Task.doRun(Task.java:763) ~" + JAR,
        "org.apache.flink.runtime.taskmanager.Task.run(Task.java:575) ~" + JAR,
        "java.lang.Thread.run(Thread.java:840) ~[?:?]",
    ])
)

TRACE_DECLINE_WARN = (
    "org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint was declined (tasks not ready)\n"
    + frames([
        "org.apache.flink.runtime.checkpoint.CheckpointCoordinator.receiveDeclineMessage(CheckpointCoordinator.java:1100) ~" + JAR,
        "org.apache.flink.runtime.scheduler.ExecutionGraphHandler.lambda$declineCheckpoint$2(ExecutionGraphHandler.java:103) ~" + JAR,
        "org.apache.flink.runtime.scheduler.ExecutionGraphHandler.lambda$processCheckpointCoordinatorMessage$3(ExecutionGraphHandler.java:119) ~" + JAR,
        "java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136) ~[?:?]",
        "java.base/java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:635) ~[?:?]",
        "java.base/java.lang.Thread.run(Thread.java:840) ~[?:?]",
    ])
    + "Caused by: org.apache.flink.util.SerializedThrowable: Task name with subtask : %s Failure reason: "
    "Checkpoint was declined (tasks not ready)\n"
    + frames([
        "org.apache.flink.streaming.runtime.tasks.SubtaskCheckpointCoordinatorImpl.checkpointState(SubtaskCheckpointCoordinatorImpl.java:354) ~" + JAR,
        "org.apache.flink.streaming.runtime.tasks.StreamTask.performCheckpoint(StreamTask.java:1402) ~" + JAR,
    ])
    + "\t... 12 more\n"
)

TRACE_JOB_NOT_FOUND = (
    "java.util.concurrent.CompletionException: org.apache.flink.runtime.messages.FlinkJobNotFoundException: "
    "Could not find Flink job (%s)\n"
    + frames([
        "java.base/java.util.concurrent.CompletableFuture.encodeRelay(CompletableFuture.java:368) ~[?:?]",
        "java.base/java.util.concurrent.CompletableFuture.completeRelay(CompletableFuture.java:377) ~[?:?]",
        "java.base/java.util.concurrent.CompletableFuture$UniCompose.tryFire(CompletableFuture.java:1152) ~[?:?]",
    ] + _FUT[2:] + [
        "org.apache.flink.runtime.rpc.pekko.PekkoInvocationHandler.lambda$invokeRpc$1(PekkoInvocationHandler.java:260) ~[?:?]",
    ] + _FUT + _RPC + _PEKKO)
    + "Caused by: org.apache.flink.runtime.messages.FlinkJobNotFoundException: Could not find Flink job (%s)\n"
    + frames([
        "org.apache.flink.runtime.dispatcher.Dispatcher.lambda$requestExecutionGraphInfo$44(Dispatcher.java:1120) ~" + JAR,
        "java.base/java.util.concurrent.CompletableFuture.uniExceptionally(CompletableFuture.java:990) ~[?:?]",
        "java.base/java.util.concurrent.CompletableFuture$UniExceptionally.tryFire(CompletableFuture.java:974) ~[?:?]",
    ])
    + "\t... 37 more\n"
)

CONFIG = [
    ("blob.server.port", "0"), ("state.checkpoints.num-retained", "3"),
    ("high-availability.type", "zookeeper"), ("jobmanager.execution.failover-strategy", "region"),
    ("high-availability.cluster-id", "/lab"), ("restart-strategy.type", "fixed-delay"),
    ("jobmanager.rpc.address", "localhost"), ("state.savepoints.dir", "file:///opt/flink-lab/savepoints"),
    ("heartbeat.interval", "3000"), ("high-availability.zookeeper.path.root", "/flink"),
    ("high-availability.zookeeper.client.session-timeout", "10000"), ("jobmanager.bind-host", "localhost"),
    ("high-availability.storageDir", "file:///opt/flink-lab/ha"), ("taskmanager.host", "localhost"),
    ("parallelism.default", "1"), ("taskmanager.numberOfTaskSlots", "2"),
    ("high-availability.jobmanager.port", "50100-50120"),
    ("env.java.opts.all", "--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED "
     "--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED "
     "--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED"),
    ("taskmanager.memory.process.size", "1536m"), ("taskmanager.bind-host", "localhost"),
    ("heartbeat.timeout", "20000"), ("high-availability.zookeeper.client.connection-timeout", "5000"),
    ("restart-strategy.fixed-delay.attempts", "2147483647"), ("jobmanager.memory.process.size", "1g"),
    ("jobmanager.rpc.port", "6123"), ("rest.bind-address", "localhost"), ("rest.port", "8081"),
    ("execution.checkpointing.interval", "2s"), ("high-availability.zookeeper.quorum", "localhost:2181"),
    ("restart-strategy.fixed-delay.delay", "1s"), ("rest.address", "localhost"),
    ("state.checkpoints.dir", "file:///opt/flink-lab/checkpoints"),
]
DYNAMIC = [
    ("jobmanager.memory.off-heap.size", "134217728b"), ("jobmanager.memory.jvm-overhead.min", "201326592b"),
    ("jobmanager.memory.jvm-metaspace.size", "268435456b"), ("jobmanager.memory.heap.size", "469762048b"),
    ("jobmanager.memory.jvm-overhead.max", "201326592b"),
]
JVM_OPTS = [
    "-Xmx469762048", "-Xms469762048", "-XX:MaxMetaspaceSize=268435456", "-XX:+IgnoreUnrecognizedVMOptions",
    "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED", "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
    "-Dlog.file=/opt/flink-lab/log/flink-root-standalonesession-0-vm.log",
    "-Dlog4j.configuration=file:/opt/flink-lab/conf/log4j.properties",
    "-Dlog4j.configurationFile=file:/opt/flink-lab/conf/log4j.properties",
    "-Dlogback.configurationFile=file:/opt/flink-lab/conf/logback.xml",
]
LIBS = ["flink-cep", "flink-connector-files", "flink-csv", "flink-json", "flink-scala_2.12", "flink-table-api-java-uber",
        "flink-table-planner-loader", "flink-table-runtime", "log4j-1.2-api-2.24.1", "log4j-api-2.24.1",
        "log4j-core-2.24.1", "log4j-slf4j-impl-2.24.1", "flink-dist"]
CLASSPATH = ":".join("/opt/flink-lab/flink-%s/lib/%s%s.jar" % (FLINK, l, "" if "log4j" in l else "-" + FLINK) for l in LIBS)
PLUGINS = ["metrics-jmx", "external-resource-gpu", "metrics-influx", "metrics-statsd", "metrics-prometheus",
           "metrics-graphite", "metrics-datadog", "metrics-slf4j"]
DEPRECATED = [
    ("state.checkpoints.num-retained", "execution.checkpointing.num-retained"),
    ("state.savepoints.dir", "execution.checkpointing.savepoint-dir"),
    ("state.checkpoints.dir", "execution.checkpointing.dir"),
]
PROFILE_TM = ("ResourceProfile{cpuCores=2, taskHeapMemory=288.000mb (301989880 bytes), taskOffHeapMemory=0 bytes, "
              "managedMemory=435.200mb (456340282 bytes), networkMemory=108.800mb (114085070 bytes)}")
PROFILE_SLOT = ("ResourceProfile{cpuCores=1, taskHeapMemory=144.000mb (150994940 bytes), taskOffHeapMemory=0 bytes, "
                "managedMemory=217.600mb (228170141 bytes), networkMemory=54.400mb (57042535 bytes)}")


def parse_size(text):
    """`1GiB`, `512MiB`, `100M`, `4g`, `12345` (bytes) -> int."""
    t = text.strip().lower().replace("ib", "").rstrip("b")
    mult = 1
    for suffix, m in (("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("t", 1 << 40)):
        if t.endswith(suffix):
            t, mult = t[:-1], m
            break
    try:
        value = float(t)
    except ValueError:
        raise argparse.ArgumentTypeError("bad size %r (e.g. 1GiB, 256MiB, 1000000)" % text)
    if value <= 0:
        raise argparse.ArgumentTypeError("size must be positive: %r" % text)
    return int(value * mult)


class Gen:
    """Writes records with strictly increasing timestamps and tracks the simulated cluster."""

    def __init__(self, out, args):
        self.out = out
        self.r = random.Random(args.seed)
        self.target = args.size
        self.interval = args.interval_ms
        self.chatter = args.chatter
        self.p_failover = 1.0 / args.failover_every if args.failover_every > 0 else 0.0
        self.p_jm = 1.0 / args.jm_restart_every if args.jm_restart_every > 0 else 0.0
        self.p_decline = 1.0 / args.decline_every if args.decline_every > 0 else 0.0
        self.par = args.parallelism
        self.buf = []
        self.bufn = 0
        self.total = 0
        self.records = 0
        self.t = calendar.timegm(time.strptime(args.start, "%Y-%m-%d %H:%M:%S")) * 1000
        self._sec = -1
        self._pre = ""
        # Cluster state.
        self.job = self.hex32()
        self.vertices = [("Source: sequence -> throttle", self.hex32()), ("keyed-count -> discard-sink: Writer", self.hex32())]
        self.next_ckpt = 1
        self.completed = []          # (id, trigger epoch ms) of completed checkpoints, newest last (bounded)
        self.incarnation = 0
        self.jm_port = 50100
        self.tm = None
        self.tm_port = 0
        self.data_port = 0
        self.slots = []
        self.eg = None
        self.attempt = 0
        self.leader = None
        self.jmid = None

    # ---- ids -------------------------------------------------------------------------------
    def hex32(self):
        return "%032x" % self.r.getrandbits(128)

    def uuid(self):
        h = self.hex32()
        return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], "89ab"[self.r.getrandbits(2)], h[17:20], h[20:])

    def new_tm(self):
        self.tm_port = 32768 + self.r.getrandbits(14)
        self.data_port = 32768 + self.r.getrandbits(14)
        self.tm = "localhost:%d-%06x" % (self.tm_port, self.r.getrandbits(24))
        self.slots = [self.hex32() for _ in range(self.par)]

    def aid(self, v, i):
        return "%s_%s_%d_%d" % (self.eg, self.vertices[v][1], i, self.attempt)

    # ---- output ----------------------------------------------------------------------------
    def rec(self, gap, body):
        """Append one record `gap` (>= 1) ms after the previous one; `body` ends with a newline."""
        t = self.t + gap
        self.t = t
        sec = t // 1000
        if sec != self._sec:
            self._sec = sec
            self._pre = time.strftime("%Y-%m-%d %H:%M:%S,", time.gmtime(sec))
        line = self._pre + MS[t % 1000] + body
        self.buf.append(line)
        self.bufn += len(line)

    def recs(self, gaps, bodies):
        """Append several records (gaps in ms, each >= 1): the hot path of the steady state."""
        t = self.t
        last = self._sec
        pre = self._pre
        buf = self.buf
        n = 0
        for gap, body in zip(gaps, bodies):
            t += gap
            sec = t // 1000
            if sec != last:
                last = sec
                pre = time.strftime("%Y-%m-%d %H:%M:%S,", time.gmtime(sec))
            line = pre + MS[t % 1000] + body
            buf.append(line)
            n += len(line)
        self.t = t
        self._sec = last
        self._pre = pre
        self.bufn += n

    def maybe_flush(self):
        if self.bufn >= FLUSH_CHARS:
            self.flush()

    def flush(self):
        if self.buf:
            data = "".join(self.buf)
            self.out.write(data.encode("ascii"))
            self.total += len(data)
            self.records += len(self.buf)
            self.buf = []
            self.bufn = 0

    def size(self):
        return self.total + self.bufn

    def e(self, level, logger, msg, gap=1):
        """One record `gap` ms (at least 1) after the previous one."""
        self.rec(gap if gap > 0 else 1, pfx(level, logger) + msg + "\n")
        self.maybe_flush()

    def i(self, logger, msg, gap=1):
        self.e("INFO", logger, msg, gap)

    def gap(self, lo, hi):
        return lo + int(self.r.random() * (hi - lo + 1))

    # ---- pieces ----------------------------------------------------------------------------
    def banner(self):
        r = self.r
        dash = "-" * 80
        self.i("entry", dash, self.gap(5000, 12000))
        self.i("entry", " Preconfiguration: ")
        pre = ["", "", "RESOURCE_PARAMS extraction logs:",
               "jvm_params: -Xmx469762048 -Xms469762048 -XX:MaxMetaspaceSize=268435456",
               "dynamic_configs: " + " ".join("-D %s=%s" % kv for kv in DYNAMIC),
               "logs: INFO  [] - Using standard YAML parser to load flink configuration file from /opt/flink-lab/conf/config.yaml."]
        pre += ["INFO  [] - Loading configuration property: %s, %s" % kv for kv in CONFIG]
        pre += ["INFO  [] - The derived from fraction jvm overhead memory (102.400mb (107374184 bytes)) is less than its min value 192.000mb (201326592 bytes), min value will be used instead",
                "INFO  [] - Final Master Memory configuration:",
                "INFO  [] -   Total Process Memory: 1024.000mb (1073741824 bytes)",
                "INFO  [] -     Total Flink Memory: 576.000mb (603979776 bytes)",
                "INFO  [] -       JVM Heap:         448.000mb (469762048 bytes)",
                "INFO  [] -       Off-heap:         128.000mb (134217728 bytes)",
                "INFO  [] -     JVM Metaspace:      256.000mb (268435456 bytes)",
                "INFO  [] -     JVM Overhead:       192.000mb (201326592 bytes)", ""]
        self.i("entry", "\n".join(pre), self.gap(1, 4))
        self.i("entry", dash)
        self.i("entry", " Starting StandaloneSessionClusterEntrypoint (Version: %s, Scala: 2.12, Rev:0980485, Date:2026-06-08T09:21:06+02:00)" % FLINK)
        for m in (" OS current user: root", " Current Hadoop/Kerberos user: <no hadoop dependency found>",
                  " JVM: OpenJDK 64-Bit Server VM - Debian - 17/17.0.15+6-Debian-1deb12u1", " Arch: amd64",
                  " Maximum heap size: 448 MiBytes", " JAVA_HOME: ", " No Hadoop Dependency available", " JVM Options:"):
            self.i("entry", m)
        for o in JVM_OPTS:
            self.i("entry", "    " + o)
        self.i("entry", " Program Arguments:")
        for k, v in DYNAMIC:
            self.i("entry", "    -D")
            self.i("entry", "    %s=%s" % (k, v))
        for a in ("--configDir", "/opt/flink-lab/conf", "--executionMode", "cluster", "--host", "localhost", "--webui-port", "8081"):
            self.i("entry", "    " + a)
        self.i("entry", " Classpath: " + CLASSPATH)
        self.i("entry", dash)
        self.i("entry", "Registered UNIX signal handlers for [TERM, HUP, INT]", self.gap(1, 5))
        self.i("gconf", "Using standard YAML parser to load flink configuration file from /opt/flink-lab/conf/config.yaml.", self.gap(10, 30))
        for kv in CONFIG:
            self.i("gconf", "Loading configuration property: %s, %s" % kv)
        for kv in DYNAMIC:
            self.i("gconf", "Loading dynamic configuration property: %s, %s" % kv)
        self.e("WARN", "entry", "The 'webui-port' parameter of 'jobmanager.sh' has been deprecated. Please use '-D Key: 'rest.port' , default: 8081 (fallback keys: [{key=web.port, isDeprecated=true}])=<port> instead.", 15)
        self.e("WARN", "entry", "The 'host' parameter of 'jobmanager.sh' has been deprecated. Please use '-D Key: 'jobmanager.rpc.address' , default: null (fallback keys: [])=<host> instead.")
        self.i("entry", "Starting StandaloneSessionClusterEntrypoint.", self.gap(20, 60))
        self.i("entry", "Install default filesystem.", self.gap(20, 60))
        self.i("fs", "Hadoop is not in the classpath/dependencies. The extended set of supported File Systems via Hadoop is not available.")
        for p in PLUGINS:
            self.i("plugin", "Plugin loader with ID not found, creating it: " + p, self.gap(1, 5))
        self.i("entry", "Install security context.", self.gap(5, 15))
        self.i("hadoopmod", "Cannot create Hadoop Security Module because Hadoop cannot be found in the Classpath.")
        jaas = "%019d" % r.getrandbits(62)
        self.i("jaas", "Jaas file will be created as /tmp/jaas-%s.conf." % jaas)
        self.i("hadoopctx", "Cannot install HadoopSecurityContext because Hadoop cannot be found in the Classpath.")
        self.i("entry", "Initializing cluster services.")
        wd = self.hex32()
        self.i("entry", "Using working directory: WorkingDirectory(/tmp/jm_%s)." % wd)
        self.i("rpcutil", "Trying to start actor system, external address localhost:%d, bind address localhost:%d." % (self.jm_port, self.jm_port), self.gap(150, 300))
        self.i("slf4j", "Slf4jLogger started", self.gap(300, 800))
        self.i("refprov", "Pekko Cluster not in use - enabling unsafe features anyway because `pekko.remote.use-unsafe-remote-features-outside-cluster` has been enabled.", 40)
        self.i("remoting", "Starting remoting")
        self.i("remoting", "Remoting started; listening on addresses :[pekko.tcp://flink@localhost:%d]" % self.jm_port, self.gap(100, 300))
        self.i("rpcutil", "Actor system started at pekko.tcp://flink@localhost:%d" % self.jm_port, self.gap(50, 200))
        self.i("dtm", "Loading delegation token providers", 10)
        self.i("dtm", "Delegation token provider hadoopfs loaded and initialized")
        self.i("dtm", "Delegation token provider hbase loaded and initialized")
        for p in PLUGINS:
            self.i("plugin", "Plugin loader with ID found, reusing it: " + p)
        self.i("dtm", "Delegation token providers loaded successfully")
        self.i("dtr", "Loading delegation token receivers")
        self.i("dtr", "Delegation token receivers loaded successfully")
        self.i("dtm", "Checking provider and receiver instances consistency")
        self.i("dtm", "Provider and receiver instances are consistent")
        self.i("dtm", "Obtaining delegation tokens")
        self.i("dtm", "Delegation tokens obtained successfully")
        self.e("WARN", "dtm", "No tokens obtained so skipping notifications")
        self.i("zkutil", "Enforcing default ACL for ZK connections", 3)
        self.i("zkutil", "Using '/flink/lab' as Zookeeper namespace.")
        self.i("curator", "Starting", self.gap(50, 100))
        for m in ("zookeeper.version=3.7.1-a2fb57c55f8e59cdd76c34b357ad5181df1258d5, built on 2022-05-07 06:45 UTC",
                  "host.name=localhost", "java.version=17.0.15", "java.vendor=Debian",
                  "java.home=/usr/lib/jvm/java-17-openjdk-amd64", "java.class.path=" + CLASSPATH,
                  "java.library.path=/usr/java/packages/lib:/usr/lib/x86_64-linux-gnu/jni:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/usr/lib/jni:/lib:/usr/lib",
                  "java.io.tmpdir=/tmp", "java.compiler=<NA>", "os.name=Linux", "os.arch=amd64", "os.version=6.18.44",
                  "user.name=root", "user.home=/root", "user.dir=/opt/flink-lab", "os.memory.free=401MB",
                  "os.memory.max=448MB", "os.memory.total=448MB"):
            self.i("zk", "Client environment:" + m)
        self.i("zk", "Initiating client connection, connectString=localhost:2181 sessionTimeout=10000 watcher=org.apache.flink.shaded.curator5.org.apache.curator.ConnectionState@%x" % r.getrandbits(28))
        self.i("x509", "Setting -D jdk.tls.rejectClientInitiatedRenegotiation=true to disable client-initiated TLS renegotiation")
        self.i("cnxsock", "jute.maxbuffer value is 1048575 Bytes", 12)
        self.i("cnxn", "zookeeper.request.timeout value is 0. feature enabled=false", 20)
        self.e("WARN", "cnxn", "SASL configuration failed. Will continue connection to Zookeeper server without SASL authentication, if Zookeeper server allows it.\n" + (TRACE_SASL % jaas).rstrip("\n"), 8)
        self.e("ERROR", "connstate", "Authentication failed", 6)
        self.i("cnxn", "Opening socket connection to server localhost/127.0.0.1:2181.", 4)
        self.i("curator", "Default schema")
        self.i("cnxn", "Socket connection established, initiating session, client: /127.0.0.1:%d, server: localhost/127.0.0.1:2181" % (32768 + r.getrandbits(14)), 7)
        self.i("cnxn", "Session establishment complete on server localhost/127.0.0.1:2181, session id = 0x%x, negotiated timeout = 10000" % (0x1000007f51c0000 + r.getrandbits(12)), 12)
        self.i("connmgr", "State change: CONNECTED")
        self.i("ensemble", "New config event received: {}", 20)
        self.i("ensemble", "New config event received: {}")
        self.i("blob", "Created BLOB server storage directory /tmp/jm_%s/blobStorage" % wd, self.gap(100, 250))
        self.i("blob", "Started BLOB server at 127.0.0.1:%d - max concurrent requests: 50 - max backlog: 1000" % (32768 + r.getrandbits(14)), 20)
        self.i("metrics", "No metrics reporter configured, no metrics will be exposed/reported.", 30)
        self.i("metrics", "No trace reporter configured, no metrics will be exposed/reported.")
        self.i("rpcutil", "Trying to start actor system, external address localhost:0, bind address localhost:0.", 8)
        mport = 32768 + r.getrandbits(14)
        self.i("slf4j", "Slf4jLogger started", 40)
        self.i("remoting", "Starting remoting", 9)
        self.i("remoting", "Remoting started; listening on addresses :[pekko.tcp://flink-metrics@localhost:%d]" % mport, 16)
        self.i("rpcutil", "Actor system started at pekko.tcp://flink-metrics@localhost:%d" % mport, 45)
        self.i("rpc", "Starting RPC endpoint for org.apache.flink.runtime.metrics.dump.MetricQueryService at pekko://flink-metrics/user/rpc/MetricQueryService .", 35)
        self.i("egstore", "Initializing FileExecutionGraphInfoStore: Storage directory /tmp/executionGraphStore-%s, expiration time 3600000, maximum cache size 52428800 bytes." % self.uuid(), self.gap(100, 200))
        self.i("conf", "Config uses fallback configuration key 'rest.port' instead of key 'rest.bind-port'", 30)
        web = self.uuid()
        self.i("rest", "Upload directory /tmp/flink-web-%s/flink-web-upload does not exist. " % web)
        self.i("rest", "Created directory /tmp/flink-web-%s/flink-web-upload for file uploads." % web)
        self.i("rest", "Starting rest endpoint.", 3)
        self.e("WARN", "conf", "Config uses deprecated configuration key 'state.savepoints.dir' instead of proper key 'execution.checkpointing.savepoint-dir'", 60)
        self.i("webutil", "Determined location of main cluster component log file: /opt/flink-lab/log/flink-root-standalonesession-0-vm.log", 20)
        self.i("webutil", "Determined location of main cluster component stdout file: /opt/flink-lab/log/flink-root-standalonesession-0-vm.out")
        self.i("rest", "Rest endpoint listening at 127.0.0.1:8081", 22)

    def leadership(self):
        """The grants of a fresh leader session, dispatcher recovery and resource manager start."""
        latch = "ZooKeeperLeaderElectionDriver{leaderLatchPath='/flink/lab/leader/latch'}"
        self.leader = self.uuid()
        h = self.leader.replace("-", "")
        self.jmid = h[16:] + h[:16]
        self.i("les", "A connection to the HA backend was established through LeaderElectionDriver " + latch + ".", 15)
        self.i("les", "LeaderContender has been registered under component 'rest_server' for " + latch + ".")
        self.i("rest", "Web frontend listening at http://127.0.0.1:8081.", 4)
        self.i("rest", "http://127.0.0.1:8081 was granted leadership with leaderSessionID=" + self.leader, self.gap(10, 30))
        self.i("les", "LeaderContender has been registered under component 'dispatcher' for " + latch + ".", self.gap(5, 20))
        self.i("runner", "DefaultDispatcherRunner was granted leadership with leader id %s. Creating new DispatcherLeaderProcess." % self.leader, 5)
        self.i("rmsvc", "Starting resource manager service.")
        self.i("sdlp", "Start SessionDispatcherLeaderProcess.", 9)
        self.i("jrs", "Creating highly available job result storage directory at file:/opt/flink-lab/ha/job-result-store/lab", 4)
        self.i("jrs", "Created highly available job result storage directory at file:/opt/flink-lab/ha/job-result-store/lab")
        self.i("les", "LeaderContender has been registered under component 'resource_manager' for " + latch + ".", 2)
        self.i("sdlp", "Recover all persisted job graphs that are not finished, yet.", 5)
        self.i("rmsvc", "Resource manager service is granted leadership with session id %s." % self.leader, 2)
        recovering = self.incarnation > 1
        self.i("jgstore", "Retrieved job ids [%s] from %s" % (self.job if recovering else "", ZK_NS), 8)
        if recovering:
            self.i("sdlp", "Trying to recover job with job id %s." % self.job)
        self.i("lrs", "Starting DefaultLeaderRetrievalService with ZookeeperLeaderRetrievalDriver{connectionInformationPath='/leader/resource_manager/connection_info'}.", 3)
        self.i("lrs", "Starting DefaultLeaderRetrievalService with ZookeeperLeaderRetrievalDriver{connectionInformationPath='/leader/dispatcher/connection_info'}.")
        self.i("rpc", "Starting RPC endpoint for org.apache.flink.runtime.resourcemanager.StandaloneResourceManager at pekko://flink/user/rpc/resourcemanager_0 .", 40)
        self.i("rm", "Starting the resource manager.", 20)
        self.i("slotmgr", "Starting the slot manager.", 6)
        self.i("dtm", "Starting tokens update task", 7)
        self.e("WARN", "dtm", "No tokens obtained so skipping notifications")
        self.e("WARN", "dtm", "Tokens update task not started because either no tokens obtained or none of the tokens specified its renewal date")
        if recovering:
            self.i("jgstore", "Recovered JobGraph(jobId: %s)." % self.job, self.gap(20, 60))
            self.i("sdlp", "Successfully recovered 1 persisted job graphs.", 4)
        else:
            self.i("sdlp", "Successfully recovered 0 persisted job graphs.", 3)
        self.i("rpc", "Starting RPC endpoint for org.apache.flink.runtime.dispatcher.StandaloneDispatcher at pekko://flink/user/rpc/dispatcher_1 .", self.gap(20, 80))

    def tm_register(self, new):
        if new:
            self.new_tm()
        self.i("rm", "Registering TaskManager with ResourceID %s (pekko.tcp://flink@localhost:%d/user/rpc/taskmanager_0) at ResourceManager" % (self.tm, self.tm_port), self.gap(50, 400))
        self.i("slotmgr", "Registering task executor %s under %s at the slot manager." % (self.tm, self.hex32()), self.gap(10, 40))

    def start_job_master(self, restore):
        """JobMaster of the job under the current leader: checkpoint store, restore, deployment."""
        j = self.job
        ns = "ZooKeeperStateHandleStore{namespace='flink/lab/jobs/%s/checkpoints'}" % j
        self.i("les", "LeaderContender has been registered under component 'job-%s' for ZooKeeperLeaderElectionDriver{leaderLatchPath='/flink/lab/leader/latch'}." % j, self.gap(20, 100))
        self.i("jmrunner", "JobMasterServiceLeadershipRunner for job %s was granted leadership with leader id %s. Creating new JobMasterServiceProcess." % (j, self.leader), 20)
        self.i("rpc", "Starting RPC endpoint for org.apache.flink.runtime.jobmaster.JobMaster at pekko://flink/user/rpc/jobmanager_2 .", self.gap(40, 70))
        self.i("jm", "Initializing job '%s' (%s)." % (JOB_NAME, j), self.gap(30, 80))
        self.i("jm", "Using restart back off time strategy FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts=2147483647, backoffTimeMS=1000) for %s (%s)." % (JOB_NAME, j), self.gap(40, 190))
        self.e("WARN", "conf", "Config uses deprecated configuration key 'state.checkpoints.num-retained' instead of proper key 'execution.checkpointing.num-retained'", self.gap(20, 100))
        self.i("cpsu", "Recovering checkpoints from %s." % ns, self.gap(20, 90))
        kept = self.completed[-3:] if restore else []
        self.i("cpsu", "Found %d checkpoints in %s." % (len(kept), ns), self.gap(20, 50))
        self.i("cpsu", "Trying to fetch %d checkpoints from storage." % len(kept))
        for cid, _ in kept:
            self.i("cpsu", "Trying to retrieve checkpoint %d." % cid, self.gap(10, 70))
        self.i("zkutil", "Initialized DefaultCompletedCheckpointStore in '%s' with /checkpoints." % ns, self.gap(8, 30))
        self.eg = self.hex32()
        self.attempt = 0
        self.i("eg", "Created execution graph %s for job %s." % (self.eg, j), self.gap(50, 90))
        self.i("jm", "Running initialization on master for job %s (%s)." % (JOB_NAME, j), self.gap(20, 60))
        self.i("jm", "Successfully ran initialization on master in 0 ms.")
        self.i("topo", "Built 1 new pipelined regions in 0 ms, total 1 pipelined regions currently.", self.gap(30, 170))
        self.i("jm", "State backend is set to heap memory org.apache.flink.runtime.state.hashmap.HashMapStateBackend@%x" % self.r.getrandbits(31), self.gap(10, 20))
        self.i("sbl", "State backend loader loads the state backend as HashMapStateBackend")
        self.i("jm", "Using job/cluster config to configure application-defined checkpoint storage: org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage@%x" % self.r.getrandbits(31), 5)
        self.e("WARN", "conf", "Config uses deprecated configuration key 'state.savepoints.dir' instead of proper key 'execution.checkpointing.savepoint-dir'")
        if kept:
            self.restore_line(self.gap(30, 50))
            self.i("cc", "No master state to restore", 20)
            self.i("recreate", "Resetting coordinator to checkpoint.")
            self.i("src", "Closing SourceCoordinator for source Source: sequence.")
            self.i("src", "Source coordinator for source Source: sequence closed.")
            self.i("src", "Restoring SplitEnumerator of source Source: sequence from checkpoint.", 3)
        else:
            self.i("cc", "No checkpoint found during restore.", self.gap(30, 50))
        self.i("jm", "Using failover strategy org.apache.flink.runtime.executiongraph.failover.RestartPipelinedRegionFailoverStrategy@%x for %s (%s)." % (self.r.getrandbits(31), JOB_NAME, j), 4)
        self.i("lrs", "Starting DefaultLeaderRetrievalService with ZookeeperLeaderRetrievalDriver{connectionInformationPath='/leader/resource_manager/connection_info'}.", 11)
        self.i("jm", "Starting execution of job '%s' (%s) under job master id %s." % (JOB_NAME, j, self.jmid))
        self.i("src", "Starting split enumerator for source Source: sequence.", 3)
        self.i("jm", "Starting scheduling with scheduling strategy [org.apache.flink.runtime.scheduler.strategy.PipelinedRegionSchedulingStrategy]", 2)
        self.i("eg", "Job %s (%s) switched from state CREATED to RUNNING." % (JOB_NAME, j))
        self.tasks("CREATED", "SCHEDULED", 0, 1)
        rm = "pekko.tcp://flink@localhost:%d/user/rpc/resourcemanager_0" % self.jm_port
        self.i("jm", "Connecting to ResourceManager %s(%s)" % (rm, self.jmid), self.gap(20, 60))
        self.i("jm", "Resolved ResourceManager address, beginning registration", self.gap(5, 20))
        self.i("lrs", "Starting DefaultLeaderRetrievalService with ZookeeperLeaderRetrievalDriver{connectionInformationPath='/leader/job-%s/connection_info'}." % j, 8)
        jmaddr = "%s@pekko.tcp://flink@localhost:%d/user/rpc/jobmanager_2" % (self.jmid, self.jm_port)
        self.i("rm", "Registering job manager %s for job %s." % (jmaddr, j))
        self.i("rm", "Registered job manager %s for job %s." % (jmaddr, j), self.gap(5, 25))
        self.i("jm", "JobManager successfully registered at ResourceManager, leader id: %s." % self.jmid, 3)
        self.i("slotmgr", "Received resource requirements from job %s: [ResourceRequirement{resourceProfile=ResourceProfile{UNKNOWN}, numberOfRequiredSlots=%d}]" % (j, self.par))
        self.matching(True, self.gap(20, 60))
        self.deploy()

    def restore_line(self, gap):
        if not self.completed:
            self.i("cc", "No checkpoint found during restore.", gap)
            return
        cid, epoch = self.completed[-1]
        self.i("cc", "Restoring job %s from Checkpoint %d @ %d for %s located at file:/opt/flink-lab/checkpoints/%s/chk-%d." % (self.job, cid, epoch, self.job, self.job, cid), gap)

    def matching(self, available, gap):
        lines = ["Matching resource requirements against available resources.", "Missing resources:",
                 "\t Job " + self.job,
                 "\t\tResourceRequirement{resourceProfile=ResourceProfile{UNKNOWN}, numberOfRequiredSlots=%d}" % self.par,
                 "Current resources:"]
        if available:
            lines += ["\tTaskManager " + self.tm, "\t\tAvailable: " + PROFILE_TM, "\t\tTotal:     " + PROFILE_TM]
        else:
            lines.append("\t(none)")
        self.i("slotmgr", "\n".join(lines), gap)
        if available:
            for s in self.slots:
                self.i("syncer", "Starting allocation of slot %s from %s for job %s with resource profile %s." % (s, self.tm, self.job, PROFILE_SLOT), self.gap(1, 15))

    def tasks(self, frm, to, lo, hi, suffix=""):
        for v in range(2):
            for k in range(self.par):
                self.i("eg", "%s (%d/%d) (%s) switched from %s to %s%s." % (self.vertices[v][0], k + 1, self.par, self.aid(v, k), frm, to, suffix), self.gap(lo, hi))

    def deploy(self):
        for v in range(2):
            for k in range(self.par):
                name = self.vertices[v][0]
                a = self.aid(v, k)
                self.i("eg", "%s (%d/%d) (%s) switched from SCHEDULED to DEPLOYING." % (name, k + 1, self.par, a), self.gap(1, 30))
                self.i("eg", "Deploying %s (%d/%d) (attempt #%d) with attempt id %s and vertex id %s_%d to %s @ localhost (dataPort=%d) with allocation id %s"
                       % (name, k + 1, self.par, self.attempt, a, self.vertices[v][1], k, self.tm, self.data_port, self.slots[k % len(self.slots)]), self.gap(1, 4))
        self.tasks("DEPLOYING", "INITIALIZING", 1, 40)
        for k in range(self.par):
            self.i("src", "Source Source: sequence registering reader for parallel task %d (#%d) @ localhost" % (k, self.attempt), self.gap(1, 40))
        self.tasks("INITIALIZING", "RUNNING", 1, 25)
        self.refresh()

    # ---- steady state ----------------------------------------------------------------------
    def refresh(self):
        """Precompute the record bodies of the steady state (after every change of the job's
        execution graph, attempt, TaskManager or leader), so that the hot loop only picks one
        and prepends a timestamp."""
        j = self.job
        p = self.par
        eg = pfx("INFO", "eg")
        self.task_stems = [eg + "%s (%d/%d) (%s) switched from " % (self.vertices[v][0], k + 1, p, self.aid(v, k))
                           for v in range(2) for k in range(p)]
        self.split_req = [pfx("INFO", "src") + "Source Source: sequence received split request from parallel task %d (#%d)\n" % (k, self.attempt)
                          for k in range(p)]
        self.assign = pfx("INFO", "src") + "Assigning splits to readers {%d=[NumberSequenceSplit{splitId='%d', from=%d, to=%d}]}\n"
        self.reqs = pfx("INFO", "slotmgr") + "Received resource requirements from job %s: [ResourceRequirement{resourceProfile=ResourceProfile{UNKNOWN}, numberOfRequiredSlots=%d}]\n" % (j, p)
        self.allocs = [pfx("INFO", "syncer") + "Starting allocation of slot %s from %s for job %s with resource profile %s.\n" % (s, self.tm, j, PROFILE_SLOT) for s in self.slots]
        self.releases = [pfx("INFO", "slotpool") + "Releasing slot [%s].\n" % s for s in self.slots]
        self.rpc_start = pfx("INFO", "rpc") + "Starting RPC endpoint for org.apache.flink.runtime.jobmaster.JobMaster at pekko://flink/user/rpc/jobmanager_%d .\n"
        self.deprecated = [pfx("WARN", "conf") + "Config uses deprecated configuration key '%s' instead of proper key '%s'\n" % d for d in DEPRECATED]
        self.config = [pfx("INFO", "gconf") + "Loading configuration property: %s, %s\n" % kv for kv in CONFIG]
        self.gated = pfx("WARN", "reliable") + "Association with remote system [pekko.tcp://flink@localhost:%d] has failed, address is now gated for [50] ms. Reason: [Disassociated] \n"
        self.lrs = pfx("INFO", "lrs") + "Starting DefaultLeaderRetrievalService with ZookeeperLeaderRetrievalDriver{connectionInformationPath='/leader/job-%s/connection_info'}.\n" % j
        self.blob_stop = pfx("INFO", "blob") + "Stopped BLOB server at 127.0.0.1:%d\n"
        self.blob_dir = pfx("INFO", "blob") + "Created BLOB server storage directory /tmp/jm_%032x/blobStorage\n"
        self.match = pfx("INFO", "slotmgr") + ("Matching resource requirements against available resources.\nMissing resources:\n\t Job %s\n\t\tResourceRequirement{resourceProfile=ResourceProfile{UNKNOWN}, numberOfRequiredSlots=%d}\nCurrent resources:\n\tTaskManager %s\n\t\tAvailable: %s\n\t\tTotal:     %s\n" % (j, p, self.tm, PROFILE_TM, PROFILE_TM))
        self.not_found = pfx("ERROR", "jobdetails") + "Unhandled exception.\n" + TRACE_JOB_NOT_FOUND
        self.trig = pfx("INFO", "cc") + "Triggering checkpoint %d (type=" + CP_TYPE + ") @ %d for job " + j + ".\n"
        self.done = pfx("INFO", "cc") + "Completed checkpoint %d for job " + j + " (%d bytes, checkpointDuration=%d ms, finalizationTime=%d ms).\n"
        self.mark = pfx("INFO", "src") + "Marking checkpoint %d as completed for source Source: sequence.\n"

    TRANSITIONS = ("DEPLOYING to INITIALIZING.\n", "INITIALIZING to RUNNING.\n", "SCHEDULED to DEPLOYING.\n", "CREATED to SCHEDULED.\n")

    def chatter_body(self):
        """One random non-HA record body (some multi-line)."""
        r = self.r
        x = r.random()
        if x < 0.30:
            stems = self.task_stems
            return stems[int(r.random() * len(stems))] + self.TRANSITIONS[int(r.random() * 4)]
        if x < 0.45:
            k = int(r.random() * self.par)
            if x < 0.38:
                return self.split_req[k]
            return self.assign % (k, k, r.getrandbits(20), r.getrandbits(40))
        if x < 0.55:
            return self.reqs
        if x < 0.62:
            n = int(r.random() * len(self.slots))
            return self.allocs[n] if x < 0.585 else self.releases[n]
        if x < 0.70:
            return self.rpc_start % (2 + r.getrandbits(6))
        if x < 0.76:
            return self.deprecated[int(r.random() * len(self.deprecated))]
        if x < 0.82:
            return self.config[int(r.random() * len(self.config))]
        if x < 0.87:
            return self.gated % (32768 + r.getrandbits(14))
        if x < 0.92:
            return self.lrs
        if x < 0.96:
            return self.blob_stop % (32768 + r.getrandbits(14)) if x < 0.94 else self.blob_dir % r.getrandbits(128)
        if x < 0.993:
            return self.match
        other = "%032x" % r.getrandbits(128)
        return self.not_found % (other, other)

    def cycle(self):
        """One checkpoint interval: trigger, completion, source marking, chatter around them."""
        r = self.r
        rnd = r.random
        rec = self.rec
        chatter = self.chatter_body
        cid = self.next_ckpt
        self.next_ckpt = cid + 1
        start = self.t
        epoch = start + 1 + int(rnd() * 6)
        n = int(rnd() * 2 * self.chatter + 0.5)
        # About a tenth of the chatter before the trigger, the rest after the completion.
        nb = 0
        for _ in range(n):
            if rnd() < 0.1:
                nb += 1
        if nb:
            self.recs([1 + int(rnd() * 8) for _ in range(nb)], [chatter() for _ in range(nb)])
        if self.t >= epoch:
            epoch = self.t + 1
        self.t = epoch
        rec(2 + int(rnd() * 19), self.trig % (cid, epoch))
        if self.p_decline and rnd() < self.p_decline:
            self.decline(cid)
        else:
            dur = 15 + int(rnd() * 46) if rnd() < 0.8 else 60 + int(rnd() * 341)
            fin = 5 + int(rnd() * 36) if rnd() < 0.85 else 40 + int(rnd() * 111)
            size = 3206 + int(rnd() * 20000) if rnd() < 0.3 else 3206
            rec(dur + fin - 10 if dur + fin > 11 else 1, self.done % (cid, size, dur, fin))
            completed = self.completed
            completed.append((cid, epoch))
            if len(completed) > 8:
                del completed[:4]
            rec(1 + int(rnd() * 10), self.mark % cid)
        rest = n - nb
        if rest:
            step = (start + self.interval - self.t - 40) // (rest + 1)
            if step > 1:
                step2 = 2 * step
                self.recs([1 + int(rnd() * step2) for _ in range(rest)], [chatter() for _ in range(rest)])
            else:
                self.recs([1] * rest, [chatter() for _ in range(rest)])
        nxt = start + self.interval + int(rnd() * 9)
        if self.t < nxt:
            self.t = nxt
        if self.bufn >= FLUSH_CHARS:
            self.flush()

    def decline(self, cid):
        v = 1
        k = int(self.r.random() * self.par)
        task = "%s (%d/%d)#%d" % (self.vertices[v][0], k + 1, self.par, self.attempt)
        self.i("cc", "Decline checkpoint %d by task %s of job %s at %s @ localhost (dataPort=%d).\n%s"
               % (cid, self.aid(v, k), self.job, self.tm, self.data_port, (TRACE_DECLINE % task).rstrip("\n")), self.gap(10, 60))
        self.e("WARN", "cfm", "Failed to trigger or complete checkpoint %d for job %s. (0 consecutive failed attempts so far)\n%s"
               % (cid, self.job, (TRACE_DECLINE_WARN % task).rstrip("\n")), 2)
        self.i("src", "Marking checkpoint %d as aborted for source Source: sequence." % cid, self.gap(1, 10))

    # ---- failures --------------------------------------------------------------------------
    def cancel_others(self, failed_v, failed_k):
        for v in range(2):
            for k in range(self.par):
                if (v, k) != (failed_v, failed_k):
                    self.i("eg", "%s (%d/%d) (%s) switched from RUNNING to CANCELING." % (self.vertices[v][0], k + 1, self.par, self.aid(v, k)), self.gap(1, 4))
        for v in range(2):
            for k in range(self.par):
                if (v, k) != (failed_v, failed_k):
                    a = self.aid(v, k)
                    self.i("eg", "%s (%d/%d) (%s) switched from CANCELING to CANCELED." % (self.vertices[v][0], k + 1, self.par, a), self.gap(1, 5))
                    self.i("eg", "Discarding the results produced by task execution %s." % a)
        for k in range(self.par):
            self.i("src", "Removing registered reader after failure for subtask %d (#%d) of source Source: sequence." % (k, self.attempt))

    def restart(self, tm_lost):
        """RESTARTING -> RUNNING, restore the latest completed checkpoint, redeploy."""
        j = self.job
        self.i("eg", "Job %s (%s) switched from state RESTARTING to RUNNING." % (JOB_NAME, j), self.gap(950, 1050))
        self.restore_line(self.gap(2, 8))
        self.i("cc", "No master state to restore")
        for k in reversed(range(self.par)):
            if self.completed:
                self.i("src", "Recovering subtask %d to checkpoint %d for source Source: sequence to checkpoint." % (k, self.completed[-1][0]), self.gap(1, 4))
        self.attempt += 1
        self.tasks("CREATED", "SCHEDULED", 1, 2)
        self.i("slotmgr", "Received resource requirements from job %s: [ResourceRequirement{resourceProfile=ResourceProfile{UNKNOWN}, numberOfRequiredSlots=%d}]" % (j, self.par), 7)
        if tm_lost:
            not_running = ("Failed to trigger checkpoint for job %s since Checkpoint triggering task %s (1/%d) of job %s is not being executed at the moment. "
                           "Aborting checkpoint. Failure reason: Not all required tasks are currently running.." % (j, self.vertices[0][0], self.par, j))
            self.i("cfm", not_running, self.gap(200, 300))
            old = self.tm
            self.e("WARN", "reliable", "Association with remote system [pekko.tcp://flink@localhost:%d] has failed, address is now gated for [50] ms. Reason: [Association failed with [pekko.tcp://flink@localhost:%d]] Caused by: [org.apache.flink.shaded.netty4.io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: localhost/127.0.0.1:%d, caused by: java.net.ConnectException: Connection refused]" % (self.tm_port, self.tm_port, self.tm_port), self.gap(400, 700))
            self.i("rm", "TaskManager with id %s is no longer reachable." % old, 1)
            self.i("rm", "Closing TaskExecutor connection %s because: TaskManager with id %s is no longer reachable." % (old, old))
            self.i("slotmgr", "Unregistering task executor %s from the slot manager." % self.hex32())
            for s in self.slots:
                self.i("syncer", "Freeing slot %s." % s)
            self.matching(False, self.gap(50, 80))
            self.i("cfm", not_running, self.gap(1200, 1400))
            self.tm_register(True)
            self.matching(True, self.gap(50, 80))
        self.deploy()

    def task_failure(self):
        r = self.r
        v, k = 1, int(r.random() * self.par)
        a = self.aid(v, k)
        self.i("eg", "%s (%d/%d) (%s) switched from RUNNING to FAILED on %s @ localhost (dataPort=%d).\n%s"
               % (self.vertices[v][0], k + 1, self.par, a, self.tm, self.data_port, (TRACE_TASK_FAILURE % r.getrandbits(20)).rstrip("\n")), self.gap(100, 1500))
        self.i("eg", "Discarding the results produced by task execution %s." % a, 2)
        self.i("jm", "%d tasks will be restarted to recover the failed task %s." % (2 * self.par, a), self.gap(2, 8))
        self.i("eg", "Job %s (%s) switched from state RUNNING to RESTARTING." % (JOB_NAME, self.job))
        self.cancel_others(v, k)
        self.restart(False)

    def tm_lost(self):
        """A TaskManager dies: trigger failures, heartbeat loss, region restart on a new TM."""
        r = self.r
        j = self.job
        port = self.tm_port
        refused = ("Association with remote system [pekko.tcp://flink@localhost:%d] has failed, address is now gated for [50] ms. Reason: [Association failed with [pekko.tcp://flink@localhost:%d]] Caused by: [org.apache.flink.shaded.netty4.io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: localhost/127.0.0.1:%d, caused by: java.net.ConnectException: Connection refused]" % (port, port, port))
        self.e("WARN", "reliable", "Association with remote system [pekko.tcp://flink@localhost:%d] has failed, address is now gated for [50] ms. Reason: [Disassociated] " % port, self.gap(300, 800))
        actor = r.getrandbits(30)
        for n in range(1 + int(r.random() * 2)):
            cid = self.next_ckpt
            self.next_ckpt += 1
            start = self.t + self.gap(600, 1500)
            self.t = start
            self.i("cc", "Triggering checkpoint %d (type=%s) @ %d for job %s." % (cid, CP_TYPE, start, j), self.gap(2, 5))
            unreach = UNREACHABLE % ("Cc" if n == 0 else "Lc", port, actor)
            self.i("cc", "Triggering Checkpoint %d for job %s failed due to %s" % (cid, j, unreach), self.gap(5, 10))
            self.e("WARN", "reliable", refused)
            self.e("WARN", "cfm", "Failed to trigger or complete checkpoint %d for job %s. (0 consecutive failed attempts so far)\n%s"
                   % (cid, j, (TRACE_TRIGGER_FAILURE % ("Cc" if n == 0 else "Lc", port, actor)).rstrip("\n")))
            self.i("src", "Marking checkpoint %d as aborted for source Source: sequence." % cid, self.gap(1, 10))
        self.e("WARN", "reliable", refused, self.gap(80, 200))
        self.i("jm", "TaskManager with id %s is no longer reachable." % self.tm)
        v, k = 1, 0
        a = self.aid(v, k)
        self.i("eg", "%s (%d/%d) (%s) switched from RUNNING to FAILED on %s @ localhost (dataPort=%d).\n%s"
               % (self.vertices[v][0], k + 1, self.par, a, self.tm, self.data_port, (TRACE_TM_UNREACHABLE % self.tm).rstrip("\n")), self.gap(5, 10))
        self.i("eg", "Discarding the results produced by task execution %s." % a, 3)
        self.i("jm", "%d tasks will be restarted to recover the failed task %s." % (2 * self.par, a), 8)
        self.i("eg", "Job %s (%s) switched from state RUNNING to RESTARTING." % (JOB_NAME, j))
        self.cancel_others(v, k)
        for s in self.slots:
            self.i("slotpool", "Releasing slot [%s]." % s)
        self.i("jm", "Disconnect TaskExecutor %s because: TaskManager with id %s is no longer reachable." % (self.tm, self.tm))
        self.i("slotmgr", "Clearing resource requirements of job %s" % j)
        self.restart(True)

    def jm_restart(self):
        """The JobManager process goes away (kill -9 or SIGTERM); a new incarnation takes over."""
        r = self.r
        if r.random() < 0.3:
            # Killed while a checkpoint was in flight: its id is consumed, never completed.
            cid = self.next_ckpt
            self.next_ckpt += 1
            start = self.t + self.gap(500, 1900)
            self.t = start
            self.i("cc", "Triggering checkpoint %d (type=%s) @ %d for job %s." % (cid, CP_TYPE, start, self.job), self.gap(2, 20))
        elif r.random() < 0.4:
            self.e("INFO", "entry", "RECEIVED SIGNAL 15: SIGTERM. Shutting down as requested.", self.gap(100, 1500))
            self.i("entry", "Shutting StandaloneSessionClusterEntrypoint down with application status UNKNOWN. Diagnostics Cluster entrypoint has been closed externally..", 2)
            self.i("rest", "Shutting down rest endpoint.", 2)
            self.i("blob", "Stopped BLOB server at 127.0.0.1:%d" % (32768 + r.getrandbits(14)))
            self.i("compat", "Using org.apache.zookeeper.server.quorum.MultipleAddresses", 31)
            self.process_down()
        self.t += self.gap(5000, 15000)
        self.start_incarnation()

    def process_down(self):
        self.i("coordshut", "Running CoordinatedShutdown with reason [ActorSystemTerminateReason]", self.gap(200, 400))
        for _ in range(2):
            self.i("remterm", "Shutting down remote daemon.", 2)
            self.i("remterm", "Remote daemon shut down; proceeding with flushing remote transports.")
        self.i("remterm", "Remoting shut down.", self.gap(10, 90))
        self.i("remterm", "Remoting shut down.", 2)

    def start_incarnation(self):
        self.incarnation += 1
        self.jm_port = 50100 + (self.incarnation - 1) % 3
        self.banner()
        self.leadership()
        if self.incarnation == 1:
            self.tm_register(True)
            self.i("blobstore", "Creating highly available BLOB storage directory at file:/opt/flink-lab/ha/lab/blob", self.gap(1000, 5000))
            self.i("disp", "Received JobGraph submission '%s' (%s)." % (JOB_NAME, self.job), self.gap(20, 60))
            self.i("disp", "Submitting job '%s' (%s)." % (JOB_NAME, self.job), self.gap(5, 15))
            self.i("jgstore", "Added JobGraph(jobId: %s) to %s." % (self.job, ZK_NS), self.gap(50, 100))
            self.start_job_master(False)
        else:
            self.tm_register(False)
            self.start_job_master(True)

    def finish(self):
        """Cancel the job, clean up its HA data, stop the process."""
        j = self.job
        self.i("eg", "Job %s (%s) switched from state RUNNING to CANCELLING." % (JOB_NAME, j), self.gap(200, 1500))
        self.tasks("RUNNING", "CANCELING", 1, 20)
        self.tasks("CANCELING", "CANCELED", 1, 20)
        self.i("eg", "Job %s (%s) switched from state CANCELLING to CANCELED." % (JOB_NAME, j), 1)
        self.i("cc", "Stopping checkpoint coordinator for job %s." % j)
        self.i("slotmgr", "Clearing resource requirements of job %s" % j, 8)
        self.i("disp", "Job %s reached terminal state CANCELED." % j, 22)
        self.i("jm", "Stopping the JobMaster for job '%s' (%s)." % (JOB_NAME, j), self.gap(100, 250))
        self.i("src", "Closing SourceCoordinator for source Source: sequence.", 5)
        self.i("src", "Source coordinator for source Source: sequence closed.", 2)
        self.i("cpstore", "Shutting down")
        self.i("zkstore", "Removing /flink/lab/jobs/%s/checkpoints from ZooKeeper" % j, 60)
        self.i("cpidc", "Shutting down.", 6)
        self.i("cpidc", "Removing /checkpoint_id_counter from ZooKeeper", 3)
        for s in self.slots:
            self.i("slotpool", "Releasing slot [%s]." % s, 10)
        self.i("jm", "Disconnect TaskExecutor %s because: Stopping JobMaster for job '%s' (%s)." % (self.tm, JOB_NAME, j), 3)
        self.i("rm", "Disconnect job manager %s@pekko.tcp://flink@localhost:%d/user/rpc/jobmanager_2 for job %s from the resource manager." % (self.jmid, self.jm_port, j), 20)
        self.i("les", "Deregistering contender with component 'job-%s' from the DefaultLeaderElectionService." % j, 7)
        for s in self.slots:
            self.i("syncer", "Freeing slot %s." % s, 4)
        self.i("haserv", "Clean up the high availability data for job %s." % j, 27)
        self.i("haserv", "Finished cleaning up the high availability data for job %s." % j, 10)
        self.i("jgstore", "Removed job graph %s from %s." % (j, ZK_NS), 10)
        self.i("entry", "RECEIVED SIGNAL 15: SIGTERM. Shutting down as requested.", self.gap(3000, 6000))
        self.i("entry", "Shutting StandaloneSessionClusterEntrypoint down with application status UNKNOWN. Diagnostics Cluster entrypoint has been closed externally..", 3)
        self.i("blob", "Stopped BLOB server at 127.0.0.1:%d" % (32768 + self.r.getrandbits(14)))
        self.process_down()

    def run(self):
        tail = 64 * 1024
        self.start_incarnation()
        r = self.r
        limit = self.target - tail
        while self.size() < limit:
            self.cycle()
            x = r.random()
            if x < self.p_jm:
                self.jm_restart()
            elif x < self.p_jm + self.p_failover:
                if r.random() < 0.5:
                    self.tm_lost()
                else:
                    self.task_failure()
        self.finish()
        self.flush()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="Output is deterministic for a given set of arguments.")
    ap.add_argument("--size", type=parse_size, default=parse_size("1GiB"),
                    help="approximate output size (e.g. 1GiB, 256MiB, 4GiB; default 1GiB)")
    ap.add_argument("--out", default="-", help="output file (default: standard output)")
    ap.add_argument("--seed", type=int, default=1, help="PRNG seed (default 1)")
    ap.add_argument("--start", default="2026-11-25 12:00:00", help="UTC start time; the first record follows a few seconds later (default %(default)s)")
    ap.add_argument("--interval-ms", type=int, default=2000, help="checkpoint interval in ms (default 2000)")
    ap.add_argument("--chatter", type=float, default=8.0, help="mean non-HA records per checkpoint interval (default 8)")
    ap.add_argument("--parallelism", type=int, default=2, help="parallelism of the two job vertices (default 2)")
    ap.add_argument("--failover-every", type=float, default=400,
                    help="mean checkpoints between task/TaskManager failovers (0: never; default 400)")
    ap.add_argument("--jm-restart-every", type=float, default=5000,
                    help="mean checkpoints between JobManager incarnations (0: never; default 5000)")
    ap.add_argument("--decline-every", type=float, default=300,
                    help="mean checkpoints between declined checkpoints (0: never; default 300)")
    ap.add_argument("--quiet", action="store_true", help="no summary on stderr")
    args = ap.parse_args(argv)
    if args.interval_ms < 200:
        ap.error("--interval-ms must be at least 200")
    if args.parallelism < 1 or args.parallelism > 64:
        ap.error("--parallelism must be in 1..64")
    if args.chatter < 0 or args.chatter * 2 * 12 > args.interval_ms:
        ap.error("--chatter must be >= 0 and leave room in the interval (chatter*24 <= interval-ms)")
    t0 = time.monotonic()
    if args.out == "-":
        out = sys.stdout.buffer
        gen = Gen(out, args)
        gen.run()
        out.flush()
    else:
        with open(args.out, "wb", buffering=1 << 20) as out:
            gen = Gen(out, args)
            gen.run()
    dt = time.monotonic() - t0
    if not args.quiet:
        mib = gen.total / (1 << 20)
        sys.stderr.write("genlog: %d bytes (%.1f MiB), %d records, checkpoints 1..%d, %d JobManager incarnations, "
                         "%.1f s, %.0f MiB/s\n" % (gen.total, mib, gen.records, gen.next_ckpt - 1, gen.incarnation,
                                                   dt, mib / dt if dt > 0 else 0.0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
