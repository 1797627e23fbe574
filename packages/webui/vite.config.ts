import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The dashboard is served by the master under /ui/; `npm run dev` proxies the API to a local master. */
export default defineConfig({
  base: "/ui/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: Object.fromEntries(
      ["/master", "/agents", "/service", "/weights", "/quota", "/maintenance", "/machine", "/health"].map(
        (p) => [p, { target: process.env.AGORA_MASTER ?? "http://127.0.0.1:5050", changeOrigin: true }],
      ),
    ),
  },
});
