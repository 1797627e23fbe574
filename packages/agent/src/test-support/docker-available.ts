import Dockerode from "dockerode";

/** The image `scripts/build-test-image.sh` builds. */
export const TEST_IMAGE = process.env.AGORA_TEST_IMAGE ?? "agora-busybox:test";

/**
 * Whether Docker tests can run: a daemon answers and the test image exists. With
 * AGORA_REQUIRE_DOCKER=1 (CI) a missing daemon or image fails the run instead of skipping.
 */
export async function dockerAvailable(): Promise<boolean> {
  const docker = new Dockerode({ timeout: 3000 });
  const ok = await docker
    .ping()
    .then(() => docker.getImage(TEST_IMAGE).inspect())
    .then(
      () => true,
      () => false,
    );
  if (!ok && process.env.AGORA_REQUIRE_DOCKER === "1") {
    throw new Error(
      `AGORA_REQUIRE_DOCKER=1 but no Docker daemon answers or ${TEST_IMAGE} is missing ` +
        "(run scripts/setup-host.sh --docker and scripts/build-test-image.sh)",
    );
  }
  return ok;
}
