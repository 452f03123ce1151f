/*
 * Address spaces: page directories, page tables, and safe access to user
 * memory.  The page-table formats are in arch/i386/mmu.h.
 */
#include "kernel.h"
#include "vm.h"
#include "mapdb.h"
#include "l4/abi.h"
#include "arch/i386/x86.h"

extern pde_t kernel_pgdir[];        /* arch/i386/boot.asm */

#define MAX_SPACES 64
static struct space spaces[MAX_SPACES];
struct space *vm_active;    /* whose directory %cr3 holds; space_activate_inline (vm.h) too */

#define KERNEL_PDX  PDX(KERNBASE)

void vm_init(void)
{
    /* The identity mapping of the first 4 MiB was only for the jump to
       the higher half: drop it so that a NULL pointer faults. */
    kernel_pgdir[0] = 0;
    lcr3(V2P(kernel_pgdir));
}

struct space *space_create(void)
{
    struct space *s = NULL;
    for (int i = 0; i < MAX_SPACES && !s; i++)
        if (!spaces[i].in_use)
            s = &spaces[i];
    paddr_t pa = s ? frame_alloc() : 0;
    if (!pa)
        return NULL;
    s->pgdir = P2V(pa);
    memset(s->pgdir, 0, KERNEL_PDX * sizeof(pde_t));
    memcpy(s->pgdir + KERNEL_PDX, kernel_pgdir + KERNEL_PDX,
           (PT_ENTRIES - KERNEL_PDX) * sizeof(pde_t));
    s->in_use = 1;
    s->privileged = 0;
    s->threads = 0;
    s->utcb_slots = 0;
    s->mapnodes = 0;
    s->mapnodes_extra = 0;
    s->tables = 0;
    s->tables_extra = 0;
    memset(s->shadow, 0, sizeof s->shadow);
    return s;
}

static void table_free(struct space *s, void *table)
{
    frame_free(V2P(table));
    s->tables--;
}

/* Whether a page table or a shadow table (1024 words either) is empty. */
static int all_zero(const void *table)
{
    const uint32_t *words = table;
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        if (words[i])
            return 0;
    return 1;
}

/*
 * Frees the tables of every region of s that holds no page: no present
 * entry in its page table, no node in its shadow.  Called only when s has
 * reached its quota, so unmapping and mapping again in one region (the
 * common case) never pays for freeing and zeroing tables; a space that
 * is full of non-empty tables pays this scan for each refusal.  No caller
 * holds a pointer into an empty table across an allocation.
 */
static void tables_reclaim(struct space *s)
{
    for (unsigned i = 0; i < KERNEL_PDX; i++) {
        pte_t *pt = (s->pgdir[i] & PTE_P) ? P2V(PTE_ADDR(s->pgdir[i])) : NULL;
        if ((pt && !all_zero(pt)) || (s->shadow[i] && !all_zero(s->shadow[i])))
            continue;
        if (pt) {
            s->pgdir[i] = 0;
            table_free(s, pt);
        }
        if (s->shadow[i]) {
            table_free(s, s->shadow[i]);
            s->shadow[i] = NULL;
        }
    }
    if (vm_active == s)
        lcr3(V2P(s->pgdir));    /* the CPU may cache directory entries: forget them */
}

/*
 * A zeroed frame for one of s's page tables or shadow tables, charged to
 * s (vm.h: "Kernel memory: who pays"); NULL past s's quota, once its
 * empty tables are given back, or when the kernel has no frame left.
 */
static void *table_alloc(struct space *s)
{
    if (s->tables >= VM_TABLES_PER_SPACE + s->tables_extra)
        tables_reclaim(s);
    if (s->tables >= VM_TABLES_PER_SPACE + s->tables_extra)
        return NULL;
    paddr_t pa = frame_alloc();
    if (!pa)
        return NULL;
    memset(P2V(pa), 0, PAGE_SIZE);
    s->tables++;
    return P2V(pa);
}

void space_destroy(struct space *s)
{
    if (vm_active == s)
        space_activate(NULL);
    for (unsigned i = 0; i < KERNEL_PDX; i++) {
        if (!s->shadow[i])
            continue;
        for (unsigned j = 0; j < PT_ENTRIES; j++)
            if (s->shadow[i][j])
                mapdb_remove(s->shadow[i][j]);
        table_free(s, s->shadow[i]);
        s->shadow[i] = NULL;
    }
    for (unsigned i = 0; i < KERNEL_PDX; i++)
        if (s->pgdir[i] & PTE_P)
            table_free(s, P2V(PTE_ADDR(s->pgdir[i])));
    assert(s->tables == 0);
    frame_free(V2P(s->pgdir));
    s->in_use = 0;
}

void space_activate(struct space *s)
{
    if (s == vm_active)
        return;
    vm_active = s;
    lcr3(V2P(s ? s->pgdir : kernel_pgdir));
}

/* The page-table entry for user address va, or NULL.  With create set,
   a missing page table is allocated (returns NULL if memory ran out). */
static pte_t *pte_lookup(struct space *s, uint32_t va, int create)
{
    pde_t *pde = &s->pgdir[PDX(va)];
    if (!(*pde & PTE_P)) {
        pte_t *pt = create ? table_alloc(s) : NULL;
        if (!pt)
            return NULL;
        *pde = V2P(pt) | PTE_P | PTE_W | PTE_U;
    }
    pte_t *pt = P2V(PTE_ADDR(*pde));
    return &pt[PTX(va)];
}

pte_t *vm_pte(struct space *s, uint32_t va)
{
    return va < L4_USER_TOP ? pte_lookup(s, va, 0) : NULL;
}

int vm_set_page(struct space *s, uint32_t va, paddr_t pa, uint32_t flags)
{
    pte_t *pte = pte_lookup(s, va, 1);
    if (!pte)
        return -L4_ENOMEM;
    *pte = pa | (flags & PTE_W) | PTE_P | PTE_U;
    if (vm_active == s)
        invlpg(va);
    return 0;
}

void vm_clear_page(struct space *s, uint32_t va)
{
    pte_t *pte = pte_lookup(s, va, 0);
    if (pte)
        *pte = 0;
    if (vm_active == s)
        invlpg(va);
}

void vm_protect_page(struct space *s, uint32_t va)
{
    pte_t *pte = pte_lookup(s, va, 0);
    if (pte)
        *pte &= ~PTE_W;
    if (vm_active == s)
        invlpg(va);
}

void *vm_alloc_kpage(void)
{
    paddr_t pa = frame_alloc();
    return pa ? P2V(pa) : NULL;
}

struct mapnode **vm_node_slot(struct space *s, uint32_t va, int create)
{
    if (va >= L4_USER_TOP)
        return NULL;                /* kernel addresses have no nodes */
    struct mapnode ***table = &s->shadow[PDX(va)];
    if (!*table) {
        void *page = create ? table_alloc(s) : NULL;
        if (!page)
            return NULL;
        *table = page;
    }
    return &(*table)[PTX(va)];
}

int vm_alloc_range(struct space *s, uint32_t va, uint32_t len, uint32_t flags)
{
    for (uint32_t a = PAGE_DOWN(va); a < va + len; a += PAGE_SIZE) {
        if (mapdb_lookup(s, a))
            continue;               /* already there (segments may share a page) */
        paddr_t pa = frame_alloc();
        if (!pa)
            return -L4_ENOMEM;
        memset(P2V(pa), 0, PAGE_SIZE);
        if (vm_set_page(s, a, pa, flags) < 0 || mapdb_add_root(s, a) < 0) {
            vm_clear_page(s, a);
            frame_free(pa);
            return -L4_ENOMEM;
        }
    }
    return 0;
}

int space_utcb_alloc(struct space *s, uint32_t *uva, void **kva)
{
    int slot = 0;
    while (slot < L4_UTCB_SLOTS && (s->utcb_slots >> slot & 1))
        slot++;
    if (slot == L4_UTCB_SLOTS)
        return -L4_ENOMEM;
    uint32_t va = L4_UTCB_AREA + (uint32_t)slot * L4_UTCB_SIZE;
    int err = vm_alloc_range(s, va, L4_UTCB_SIZE, PTE_W);
    if (err)
        return err;
    pte_t *pte = pte_lookup(s, va, 0);
    *uva = va;
    *kva = (char *)P2V(PTE_ADDR(*pte)) + va % PAGE_SIZE;
    memset(*kva, 0, L4_UTCB_SIZE);
    s->utcb_slots |= 1ull << slot;
    return slot;
}

/* The slot's page stays mapped: the space goes away with its last thread. */
void space_utcb_free(struct space *s, uint32_t uva)
{
    s->utcb_slots &= ~(1ull << ((uva - L4_UTCB_AREA) / L4_UTCB_SIZE));
}

/* Kernel address of the user byte at va, if the page is mapped with at
   least the rights `need` (PTE_U, plus PTE_W for writing); NULL if not. */
static char *user_byte(struct space *s, uint32_t va, uint32_t need)
{
    if (va >= L4_USER_TOP)
        return NULL;
    pte_t *pte = pte_lookup(s, va, 0);
    if (!pte || (*pte & (need | PTE_P)) != (need | PTE_P))
        return NULL;
    return (char *)P2V(PTE_ADDR(*pte)) + va % PAGE_SIZE;
}

/* Copies len bytes page by page; to_user selects the direction. */
static int copy_user(struct space *s, uint32_t uva, char *kbuf, size_t len, int to_user)
{
    uint32_t need = PTE_U | (to_user ? PTE_W : 0);
    while (len > 0) {
        if (uva >= L4_USER_TOP)     /* also catches uva + len wrapping around */
            return -L4_EFAULT;
        char *k = user_byte(s, uva, need);
        if (!k)
            return -L4_EFAULT;
        size_t chunk = PAGE_SIZE - uva % PAGE_SIZE;
        if (chunk > len)
            chunk = len;
        if (to_user)
            memcpy(k, kbuf, chunk);
        else
            memcpy(kbuf, k, chunk);
        uva += chunk, kbuf += chunk, len -= chunk;
    }
    return 0;
}

int copy_from_user(struct space *s, void *dst, uint32_t usrc, size_t len)
{
    return copy_user(s, usrc, dst, len, 0);
}

int copy_to_user(struct space *s, uint32_t udst, const void *src, size_t len)
{
    return copy_user(s, udst, (char *)src, len, 1);
}
