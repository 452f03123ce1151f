/*
 * Asking sigma0 for frames (l4/sigma0.h): one call each, with the receive
 * window set to the one page where the frame should land.
 */
#include "ulib.h"
#include "l4/sigma0.h"

/* Sends request (label, with word as MR1 if words is 1) and lands the
   frame at page dst.  Returns the frame's physical address or -error. */
static int32_t sigma0_request(l4_tid_t sigma0, uint32_t label, unsigned words, uint32_t word,
                              uint32_t dst)
{
    struct l4_utcb *u = l4_utcb();
    l4_fpage_t saved = u->rcv_window;
    u->rcv_window = l4_fpage(dst, 12, L4_FPAGE_RW);
    l4_set_mr(0, l4_tag_make(label, words, 0));
    l4_set_mr(1, word);
    int32_t err = l4_call(sigma0);
    u->rcv_window = saved;
    if (err < 0)
        return err;
    l4_tag_t tag = l4_mr(0);
    if (l4_tag_untyped(tag) != 1)
        return -L4_EINVAL;                  /* not sigma0's answer */
    int32_t result = (int32_t)l4_mr(1);
    if (result >= 0 && (l4_tag_typed(tag) != 2 || l4_mr(3) == L4_NILPAGE))
        return -L4_EINVAL;                  /* a frame was promised, none landed */
    return result;
}

int32_t sigma0_get_page(l4_tid_t sigma0, uint32_t dst)
{
    return sigma0_request(sigma0, SIGMA0_GET_PAGE, 0, 0, dst);
}

int32_t sigma0_get_frame(l4_tid_t sigma0, uint32_t pa, uint32_t dst)
{
    return sigma0_request(sigma0, SIGMA0_GET_FRAME, 1, pa, dst);
}
