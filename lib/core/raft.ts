// Raft arithmetic shared by every group the monitor judges (meta, streams, consumers).

/** Votes a group of `members` needs: a strict majority (right for even sizes too, unlike `offline * 2 > N`). */
export const quorumOf = (members: number): number => Math.floor(members / 2) + 1;
