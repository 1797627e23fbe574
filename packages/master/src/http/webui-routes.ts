import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Where `npm run build` leaves the dashboard, from this file (in src/http or dist/http alike). */
export const DEFAULT_WEBUI_DIR = fileURLToPath(new URL("../../../webui/dist", import.meta.url));

export interface WebuiRoutesOptions {
  /** The built dashboard (default: `packages/webui/dist` of this checkout). */
  dir?: string;
}

/**
 * The web dashboard under `/ui/`: its files as they are (hashed assets cached for good,
 * `index.html` never), and `index.html` for every other `/ui/*` page so that a reloaded or shared
 * URL such as `/ui/agents/<id>` opens that page; a missing file under `/ui/assets/` stays a 404. `/` sends browsers (requests that accept `text/html`) to `/ui/`; JSON clients get what they
 * got before. Without a built dashboard, `/ui/` says how to build it.
 */
export async function webuiRoutes(app: FastifyInstance, options: WebuiRoutesOptions): Promise<void> {
  const dir = options.dir ?? DEFAULT_WEBUI_DIR;
  const built = existsSync(path.join(dir, "index.html"));

  app.get("/", async (request, reply) => {
    if (!acceptsHtml(request)) return reply.callNotFound();
    return reply.redirect("/ui/", 302);
  });
  app.get("/ui", async (_request, reply) => reply.redirect("/ui/", 301));

  await app.register(
    async (ui) => {
      if (!built) {
        ui.get("/*", async (_request, reply) => notBuilt(reply, dir));
        return;
      }
      await ui.register(fastifyStatic, {
        root: dir,
        prefix: "/",
        wildcard: true,
        dotfiles: "ignore",
        cacheControl: false,
        setHeaders: (res, file) => {
          const hashed = file.includes(`${path.sep}assets${path.sep}`);
          res.header("cache-control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
        },
      });
      ui.setNotFoundHandler(async (request, reply) => {
        // Page paths may hold dots (task ids do): only the build's asset folder answers 404.
        if (request.method !== "GET" && request.method !== "HEAD") return notFound(reply, request);
        if (request.url.startsWith("/ui/assets/")) return notFound(reply, request);
        return reply.header("cache-control", "no-cache").sendFile("index.html");
      });
    },
    { prefix: "/ui" },
  );
}

function acceptsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? "").includes("text/html");
}

function notFound(reply: FastifyReply, request: FastifyRequest) {
  return reply.code(404).send({ message: `No route for ${request.method} ${request.url}` });
}

function notBuilt(reply: FastifyReply, dir: string) {
  return reply
    .code(503)
    .type("text/html; charset=utf-8")
    .send(
      `<!doctype html><title>Agora</title><p>The web UI is not built (no ${dir}/index.html): run <code>npm run build</code>.</p>`,
    );
}
