/** The size of a job box in the dependency graph (px), shared by the layout and the drawing. */
export const W = 150;
export const H = 36;
