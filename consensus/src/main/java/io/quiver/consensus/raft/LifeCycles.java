package io.quiver.consensus.raft;

import org.apache.ratis.util.LifeCycle;

/**
 * The state-machine life cycle Ratis expects around a snapshot installation: it calls {@code
 * pause()} before every chunk and asserts PAUSED before {@code reinitialize()}; {@code
 * BaseStateMachine} leaves both to the subclass.
 */
public final class LifeCycles {

  private LifeCycles() {}

  /** RUNNING -> PAUSED; a no-op when already paused (pause is called once per chunk). */
  public static void pause(LifeCycle lifeCycle) {
    if (lifeCycle.getCurrentState() == LifeCycle.State.RUNNING) {
      lifeCycle.transition(LifeCycle.State.PAUSING);
      lifeCycle.transition(LifeCycle.State.PAUSED);
    }
  }

  /** PAUSED -> RUNNING after a reload, so that the next installation can pause again. */
  public static void resume(LifeCycle lifeCycle) {
    if (lifeCycle.getCurrentState() == LifeCycle.State.PAUSED) {
      lifeCycle.transition(LifeCycle.State.STARTING);
      lifeCycle.transition(LifeCycle.State.RUNNING);
    }
  }
}
