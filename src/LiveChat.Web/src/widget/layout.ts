// What the widget's frame tells the page around it: the only message between them.
export const FrameMessage = "livechatWidget";

export interface FrameLayout {
  livechatWidget: "layout";
  // The panel is open (the frame needs the panel's room) or closed (the launcher's).
  open: boolean;
}

// The frame's size in the page: the launcher with room for its focus ring, or the panel above it with room for its
// shadow. Inside the frame, widget.css places them as before, from the frame's bottom right corner.
export const ClosedSize = { width: "96px", height: "96px" };
export const OpenSize = { width: "min(420px, 100vw)", height: "min(660px, 100vh)" };
